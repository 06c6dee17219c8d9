import { useQueryClient } from '@tanstack/react-query';
import { Button, Card, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Invitation } from '../api/client';
import { keys, useInvitations } from '../api/queries';
import { PageError } from '../components/PageState';
import { useFormat } from '../lib/hooks';
import { roleLabel } from '../lib/labels';
import { useAction } from '../lib/useAction';

type InvitationState = 'active' | 'revoked' | 'expired' | 'usedUp';

function invitationState(inv: Invitation, now: number): InvitationState {
  if (inv.revoked) return 'revoked';
  if (Date.parse(inv.expires_at) <= now) return 'expired';
  if (inv.uses >= inv.max_uses) return 'usedUp';
  return 'active';
}

/** InvitationsCard lists the organisation's invitation links and revokes them. */
export function InvitationsCard({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const { confirm } = useAction();
  const queryClient = useQueryClient();
  const format = useFormat();
  const invitations = useInvitations(orgID);
  const now = Date.now();

  const revoke = (inv: Invitation) =>
    confirm({
      title: t('invitations.revokeTitle'),
      content: t('invitations.revokeConfirm'),
      okText: t('invitations.revoke'),
      run: () => unwrap(api.DELETE('/api/v1/orgs/{orgID}/invitations/{invitationID}', { params: { path: { orgID, invitationID: inv.id } } })),
      success: t('invitations.revoked'),
      refresh: () => void queryClient.invalidateQueries({ queryKey: keys.invitations(orgID) }),
    });

  const stateTag = (state: InvitationState) => {
    switch (state) {
      case 'active':
        return <Tag color="green">{t('invitations.statusActive')}</Tag>;
      case 'revoked':
        return <Tag>{t('invitations.statusRevoked')}</Tag>;
      case 'expired':
        return <Tag color="orange">{t('invitations.statusExpired')}</Tag>;
      case 'usedUp':
        return <Tag color="blue">{t('invitations.statusUsedUp')}</Tag>;
    }
  };

  return (
    <Card title={<h2>{t('invitations.title')}</h2>}>
      {invitations.isError ? (
        <PageError error={invitations.error} onRetry={() => invitations.refetch()} />
      ) : (
        <Table<Invitation>
          rowKey="id"
          size="small"
          loading={invitations.isPending}
          dataSource={invitations.data?.items ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('invitations.empty') }}
          columns={[
            { title: t('invitations.created'), key: 'created', render: (_, inv) => format.dateTime(inv.created_at), responsive: ['sm'] },
            { title: t('invitations.role'), key: 'role', render: (_, inv) => roleLabel(t, inv.role) },
            { title: t('invitations.uses'), key: 'uses', render: (_, inv) => `${inv.uses} / ${inv.max_uses}` },
            { title: t('invitations.expires'), key: 'expires', render: (_, inv) => format.dateTime(inv.expires_at), responsive: ['md'] },
            { title: t('invitations.status'), key: 'status', render: (_, inv) => stateTag(invitationState(inv, now)) },
            {
              title: <span className="visually-hidden">{t('common.actions')}</span>,
              key: 'actions',
              render: (_, inv) =>
                invitationState(inv, now) === 'active' && (
                  <Button size="small" danger onClick={() => revoke(inv)}>
                    {t('invitations.revoke')}
                  </Button>
                ),
            },
          ]}
        />
      )}
    </Card>
  );
}
