import { Form, Modal } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useSubmit } from '../../lib/useSubmit';

interface FormDialogProps<T> {
  /** The form's name, which prefixes its fields' ids. */
  name: string;
  title: ReactNode;
  okText: string;
  width?: number;
  initialValues?: Partial<T>;
  /** onSubmit saves the values; the dialog closes when it resolves and shows why when it throws. */
  onSubmit: (values: T) => Promise<unknown>;
  onClose: () => void;
  children: ReactNode;
}

/**
 * FormDialog is the console's dialog around one form: OK submits it, the fields are disabled
 * while it saves, and a failure is shown above them with the dialog left open.
 */
export function FormDialog<T extends object>({ name, title, okText, width, initialValues, onSubmit, onClose, children }: FormDialogProps<T>) {
  const { t } = useTranslation();
  const [form] = Form.useForm<T>();
  const { busy, error, submit } = useSubmit();
  return (
    <Modal
      open
      width={width}
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={okText}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      <Form<T>
        form={form}
        name={name}
        layout="vertical"
        requiredMark={false}
        disabled={busy}
        initialValues={initialValues}
        onFinish={async (values) => {
          if (await submit(() => onSubmit(values))) onClose();
        }}
      >
        {children}
      </Form>
    </Modal>
  );
}
