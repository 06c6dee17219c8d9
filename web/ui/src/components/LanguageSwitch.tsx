import { GlobalOutlined } from '@ant-design/icons';
import { App, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, LANGUAGE_NAMES, currentLanguage, type Language } from '../i18n';
import { errorText } from '../lib/errors';
import { useChangeLanguage } from '../lib/hooks';

/** LanguageSwitch picks the UI language; signed in, the choice is saved to the profile. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const change = useChangeLanguage();
  return (
    <Select<Language>
      className="language-switch"
      aria-label={t('common.language')}
      value={currentLanguage()}
      key={i18n.language}
      suffixIcon={<GlobalOutlined aria-hidden />}
      popupMatchSelectWidth={false}
      variant="borderless"
      options={LANGUAGES.map((l) => ({ value: l, label: <span lang={l}>{LANGUAGE_NAMES[l]}</span> }))}
      onChange={(lng) => {
        change(lng).catch((err) => message.error(errorText(t, err)));
      }}
    />
  );
}
