import type { Messages } from './en';

/** The Chinese strings of notifications, under "notifications" in zh-CN.ts. */
const notifications: Messages['notifications'] = {
  bell: '通知',
  bellCount_one: '通知，{{count}} 条未读',
  bellCount_other: '通知，{{count}} 条未读',
  title: '通知',
  empty: '暂无新消息。',
  markAllRead: '全部标为已读',
  markRead: '标为已读',
  unread: '未读',
  someone: '有人',
  kinds: {
    fileShared: '{{actor}} 与你共享了 {{name}}',
    webhookPaused: '发往 {{url}} 的 Webhook 连续失败，已暂停',
    taskAssigned: '{{actor}} 给你分配了任务 {{title}}',
    taskCompleted: '{{actor}} 完成了任务 {{title}}',
    taskDueSoon: '任务 {{title}} 将于 {{due}} 到期',
    taskOverdue: '任务 {{title}} 已逾期（截止 {{due}}）',
    taskCommentAdded: '{{actor}} 评论了任务 {{title}}：{{excerpt}}',
    taskMentioned: '{{actor}} 在任务 {{title}} 中提到了你：{{excerpt}}',
    messageMentioned: '{{actor}} 在 {{chat}} 中提到了你：{{excerpt}}',
    announcementPublished: '{{actor}} 发布了公告 {{title}}',
    announcementToAck: '{{actor}} 发布了公告 {{title}}，请确认',
    announcementReminder: '请确认公告 {{title}}',
  },
  kindNames: {
    fileShared: '共享给我的文件和文件夹',
    webhookPaused: '连续失败后暂停的 Webhook（管理员）',
    taskAssigned: '分配给我的任务',
    taskCompleted: '我创建的任务被完成',
    taskDueSoon: '我设置的任务提醒',
    taskOverdue: '我的任务逾期',
    taskCommentAdded: '我负责、关注或创建的任务有新评论',
    taskMentioned: '任务评论中提到我',
  },
  preferences: {
    title: '通知',
    intro: '你在此组织中接收通知的方式。',
    kind: '类型',
    channel: '方式',
    channels: {
      in_app: '应用内',
      email: '应用内和邮件',
      off: '关闭',
    },
    quietHours: '免打扰时段（不发邮件）',
    quietHoursHelp: '按你的时区：{{zone}}。',
    from: '从',
    to: '到',
    saved: '通知设置已保存。',
  },
};

export default notifications;
