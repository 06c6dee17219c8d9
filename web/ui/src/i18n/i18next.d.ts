import 'i18next';
import type en from './en';
import type messaging from './messaging.en';

// Type-checks every translation key against the English catalogue; zh-CN must have the same shape.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    // Messaging's strings load with its chunks (chat/strings.ts) but are keys like any other.
    resources: { translation: typeof en & typeof messaging };
  }
}
