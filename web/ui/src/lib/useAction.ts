import { App } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './errors';

/** Action is one change made from a list: the call, what to say when it worked, and what to refresh. */
export interface Action {
  run: () => Promise<unknown>;
  success: string;
  refresh?: () => Promise<unknown> | void;
}

/** ConfirmedAction is an action that asks first. */
export interface ConfirmedAction extends Action {
  title: string;
  content?: ReactNode;
  okText: string;
  /** Whether the OK button is red (it removes or ends something); true unless false. */
  danger?: boolean;
}

/**
 * useAction performs the console's list actions (remove, revoke, deactivate) the same way
 * everywhere: a confirmation first where asked, then a message saying what happened or why not.
 */
export function useAction() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();

  const perform = async ({ run, success, refresh }: Action) => {
    try {
      await run();
      message.success(success);
      await refresh?.();
    } catch (err) {
      message.error(errorText(t, err));
    }
  };

  const confirm = (action: ConfirmedAction) =>
    modal.confirm({
      title: action.title,
      content: action.content,
      okText: action.okText,
      okButtonProps: action.danger === false ? undefined : { danger: true },
      cancelText: t('common.cancel'),
      onOk: () => perform(action),
    });

  return { perform, confirm };
}
