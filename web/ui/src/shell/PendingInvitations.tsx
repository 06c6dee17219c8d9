import { Alert, App, Button } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type PendingInvitation } from '../api/client';
import { keys } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { roleLabel } from '../lib/labels';

// Invitations put off with "Later" stay hidden for this browser tab, not for good: there is no
// way to decline one, and it may be wanted tomorrow.
const LATER_KEY = 'canopy.invitations.later';

function laterIDs(): string[] {
  try {
    const ids: unknown = JSON.parse(sessionStorage.getItem(LATER_KEY) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function rememberLater(ids: string[]): void {
  try {
    sessionStorage.setItem(LATER_KEY, JSON.stringify(ids));
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

/**
 * PendingInvitations shows the signed-in person the invitations made for their email, which an
 * organisation makes instead of a membership when it provisions (SCIM, import, console) someone
 * whose account it does not manage. They join with one click, or put it off.
 */
export default function PendingInvitations({ items }: { items: PendingInvitation[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const format = useFormat();
  const { setOrgID } = useCurrentOrg();
  const [later, setLater] = useState<string[]>(laterIDs);
  const [joining, setJoining] = useState<string>();
  const shown = items.filter((inv) => !later.includes(inv.id));
  if (shown.length === 0) return null;

  const accept = async (inv: PendingInvitation) => {
    setJoining(inv.id);
    try {
      const joined = await unwrap(api.POST('/api/v1/me/invitations/{invitationID}/accept', { params: { path: { invitationID: inv.id } } }));
      await queryClient.invalidateQueries({ queryKey: keys.me });
      setOrgID(joined.org_id);
      message.success(t('myInvitations.joined', { org: inv.org_name }));
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setJoining(undefined);
      // Accepted, expired or withdrawn meanwhile: either way the list has changed.
      void queryClient.invalidateQueries({ queryKey: keys.myInvitations });
    }
  };

  const putOff = (inv: PendingInvitation) => {
    const ids = [...later, inv.id];
    setLater(ids);
    rememberLater(ids);
  };

  return (
    <section className="pending-invitations" aria-label={t('myInvitations.title')}>
      {shown.map((inv) => (
        <Alert
          key={inv.id}
          type="info"
          showIcon
          className="pending-invitation"
          message={t('myInvitations.text', { org: inv.org_name, role: roleLabel(t, inv.role) })}
          description={t('myInvitations.validUntil', { date: format.dateTime(inv.expires_at) })}
          action={
            <div className="pending-invitation-actions">
              <Button
                type="primary"
                size="small"
                loading={joining === inv.id}
                disabled={joining !== undefined && joining !== inv.id}
                aria-label={t('myInvitations.acceptNamed', { org: inv.org_name })}
                onClick={() => accept(inv)}
              >
                {t('myInvitations.accept')}
              </Button>
              <Button size="small" aria-label={t('myInvitations.laterNamed', { org: inv.org_name })} onClick={() => putOff(inv)}>
                {t('myInvitations.later')}
              </Button>
            </div>
          }
        />
      ))}
    </section>
  );
}
