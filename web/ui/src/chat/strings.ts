import i18n from '../i18n';
import en from '../i18n/messaging.en';
import zhCN from '../i18n/messaging.zh-CN';

// The messaging strings come with the module's chunks, not with the first load: importing this
// file adds them to the one "translation" namespace, in both languages, before anything renders.
i18n.addResourceBundle('en', 'translation', en, true, false);
i18n.addResourceBundle('zh-CN', 'translation', zhCN, true, false);
