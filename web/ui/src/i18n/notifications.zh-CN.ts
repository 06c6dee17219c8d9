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
  },
  kindNames: {
    fileShared: '共享给我的文件和文件夹',
    webhookPaused: '连续失败后暂停的 Webhook（管理员）',
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
