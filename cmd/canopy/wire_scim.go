package main

import (
	appscim "canopy/app/scim"
	"canopy/infra/postgres"
	pgscim "canopy/infra/postgres/scim"
)

// scimService builds SCIM provisioning on the stack's services: it works through the member,
// directory and token use cases, and reads with its own filter-to-SQL reader.
func (s *stack) scimService() *appscim.Service {
	return appscim.NewService(appscim.Deps{
		Tx: postgres.NewTxManager(s.db), Authorizer: s.authz, Identity: s.identity, Orgs: s.orgs, Directory: s.directory,
		Reader: pgscim.NewReader(s.db), Store: pgscim.NewStore(s.db),
	})
}
