import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './errors';

/**
 * useSubmit runs a form's or dialog's one call at a time: busy while it runs, and the reason in
 * words when it fails, for an ErrorAlert. submit resolves to whether the call succeeded.
 */
export function useSubmit() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = useCallback(
    async (work: () => Promise<unknown>, onError?: (err: unknown) => void): Promise<boolean> => {
      setBusy(true);
      setError(undefined);
      try {
        await work();
        return true;
      } catch (err) {
        onError?.(err);
        setError(errorText(t, err));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { busy, error, submit };
}
