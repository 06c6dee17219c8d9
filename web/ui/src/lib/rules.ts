import type { FormRule } from 'antd';
import type { TFunction } from 'i18next';

/** NAME_MAX is the longest name the server takes (display, organisation, department, group, role and token names). */
export const NAME_MAX = 100;

/** nameRules are a form's rules for a name: required, not only spaces, at most NAME_MAX characters. */
export function nameRules(t: TFunction): FormRule[] {
  return [
    { required: true, whitespace: true, message: t('validation.required') },
    { max: NAME_MAX, message: t('validation.max', { max: NAME_MAX }) },
  ];
}
