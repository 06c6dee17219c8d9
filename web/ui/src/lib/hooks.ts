import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Me } from '../api/client';
import { keys, useMe } from '../api/queries';
import { applyLanguage, type Language } from '../i18n';
import { browserTimeZone, formatDate, formatDateTime } from './format';

/** useTitle sets the document title to "<page> · Canopy". */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Canopy` : 'Canopy';
  }, [title]);
}

/** useFormat formats instants in the UI language and the user's time zone (else the browser's). */
export function useFormat() {
  const { i18n } = useTranslation();
  const me = useMe();
  const zone = me.data?.user.time_zone || browserTimeZone();
  const lang = i18n.language;
  return {
    timeZone: zone,
    dateTime: (iso: string | null | undefined) => formatDateTime(iso, lang, zone),
    date: (iso: string | null | undefined) => formatDate(iso, lang, zone),
  };
}

/**
 * useChangeLanguage switches the UI language and, when someone is signed in, saves it to their
 * profile so it follows them to other browsers.
 */
export function useChangeLanguage() {
  const queryClient = useQueryClient();
  return useCallback(
    async (lng: Language) => {
      await applyLanguage(lng);
      const me = queryClient.getQueryData<Me | null>(keys.me);
      // Until an initial password is changed the profile cannot be saved; the choice stays local.
      if (!me || me.auth.method !== 'session' || me.user.must_change_password || me.user.locale === lng) return;
      const user = await unwrap(api.PATCH('/api/v1/me', { body: { locale: lng } }));
      queryClient.setQueryData<Me | null>(keys.me, (old) => (old ? { ...old, user } : old));
    },
    [queryClient],
  );
}
