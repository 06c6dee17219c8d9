import { CheckOutlined, DownOutlined, GlobalOutlined } from '@ant-design/icons';
import { App, Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, LANGUAGE_NAMES, currentLanguage, isLanguage } from '../i18n';
import { errorText } from '../lib/errors';
import { useChangeLanguage } from '../lib/hooks';

/** LanguageSwitch picks the UI language; signed in, the choice is saved to the profile. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const change = useChangeLanguage();
  const current = currentLanguage();
  return (
    <Dropdown
      trigger={['click']}
      placement="bottomRight"
      autoFocus
      menu={{
        selectable: true,
        selectedKeys: [current],
        items: LANGUAGES.map((l) => ({
          key: l,
          label: <span lang={l}>{LANGUAGE_NAMES[l]}</span>,
          icon: l === current ? <CheckOutlined /> : <span className="menu-icon-space" />,
        })),
        onClick: ({ key }) => {
          if (isLanguage(key)) change(key).catch((err) => message.error(errorText(t, err)));
        },
      }}
    >
      <Button type="text" className="switch-button" aria-label={`${t('common.language')}: ${LANGUAGE_NAMES[current]}`}>
        <GlobalOutlined aria-hidden />
        <span className="switch-button-text">{LANGUAGE_NAMES[current]}</span>
        <DownOutlined aria-hidden className="switch-caret" />
      </Button>
    </Dropdown>
  );
}
