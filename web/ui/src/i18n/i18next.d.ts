import 'i18next';
import type en from './en';

// Type-checks every translation key against the English catalogue; zh-CN must have the same shape.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
