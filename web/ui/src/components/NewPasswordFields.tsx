import { Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';

/** The password rules the server applies (domain/identity): 8 to 128 characters, not a common one. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

interface Props {
  /** The new password's field name; its repetition is "confirm". */
  name?: string;
  label?: string;
  confirmLabel?: string;
  autoFocus?: boolean;
}

/**
 * NewPasswordFields asks for a new password twice, with the rules the server enforces shown
 * beside it, wherever someone chooses a password: the profile and account activation.
 */
export function NewPasswordFields({ name = 'new_password', label, confirmLabel, autoFocus }: Props) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item
        label={label ?? t('profile.newPassword')}
        name={name}
        extra={t('validation.passwordHint')}
        rules={[
          { required: true, message: t('validation.required') },
          { min: PASSWORD_MIN, message: t('validation.passwordHint') },
          { max: PASSWORD_MAX, message: t('validation.max', { max: PASSWORD_MAX }) },
        ]}
      >
        <Input.Password autoComplete="new-password" autoFocus={autoFocus} />
      </Form.Item>
      <Form.Item
        label={confirmLabel ?? t('profile.confirmPassword')}
        name="confirm"
        dependencies={[name]}
        rules={[
          { required: true, message: t('validation.required') },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || value === getFieldValue(name) ? Promise.resolve() : Promise.reject(new Error(t('profile.passwordMismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
    </>
  );
}
