/** The English strings of notifications, under "notifications" in en.ts. Every key must exist in notifications.zh-CN.ts too. */
const notifications = {
  bell: 'Notifications',
  bellCount_one: 'Notifications, {{count}} unread',
  bellCount_other: 'Notifications, {{count}} unread',
  title: 'Notifications',
  empty: 'Nothing new.',
  markAllRead: 'Mark all read',
  markRead: 'Mark read',
  unread: 'Unread',
  someone: 'Someone',
  kinds: {
    fileShared: '{{actor}} shared {{name}} with you',
    webhookPaused: 'A webhook to {{url}} kept failing and was paused',
  },
  kindNames: {
    fileShared: 'Files and folders shared with me',
    webhookPaused: 'Webhooks paused after failing (admins)',
  },
  preferences: {
    title: 'Notifications',
    intro: 'How you hear of things in this organisation.',
    kind: 'Kind',
    channel: 'How',
    channels: {
      in_app: 'In the app',
      email: 'In the app and by email',
      off: 'Off',
    },
    quietHours: 'Quiet hours (no email)',
    quietHoursHelp: 'In your time zone, {{zone}}.',
    from: 'From',
    to: 'To',
    saved: 'Notification preferences saved.',
  },
};

export default notifications;
