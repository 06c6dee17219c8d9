import { Alert } from 'antd';

/** ErrorAlert says why an action failed, above the form or list it concerns, and announces it. */
export function ErrorAlert({ error }: { error?: string }) {
  return error ? <Alert type="error" showIcon message={error} role="alert" className="form-alert" /> : null;
}
