package tasks

// The kinds of people a task has, as TaskRepository.People and SetPeople name them.
const (
	peopleAssignees = "assignees"
	peopleFollowers = "followers"
)
