import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, DatePicker, Select, Space, Table, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../api/client';
import { useMediaQuery } from '../lib/useMediaQuery';
import { useAudit, useGroup, usePerson, useRoles, type AuditFilter } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError } from '../components/PageState';
import { MemberPicker, type PickedMember } from '../directory/MemberPicker';
import { startOfDay } from '../lib/format';
import { useFormat } from '../lib/hooks';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES, auditActionLabel, targetTypeLabel } from '../lib/labels';

/** targetName is the name an entry's state gives its target, when it has one. */
function targetName(e: AuditEntry): string | undefined {
  for (const state of [e.after, e.before]) {
    if (state && typeof state === 'object') {
      const s = state as Record<string, unknown>;
      const name = s.name ?? s.display_name;
      if (typeof name === 'string' && name) return name;
    }
  }
  return undefined;
}

/**
 * TargetName names what an entry changed: from the entry's own state when it says, otherwise by
 * looking the member, group or role up (it may since have been deleted, then only the id shows).
 */
function TargetName({ orgID, entry }: { orgID: string; entry: AuditEntry }) {
  const { t } = useTranslation();
  const own = targetName(entry);
  const type = entry.target_type;
  const person = usePerson(orgID, !own && type === 'member' ? entry.target_id : undefined);
  const group = useGroup(orgID, !own && type === 'group' ? entry.target_id : undefined);
  const roles = useRoles(!own && type === 'role' ? orgID : undefined);
  const name =
    own ??
    (type === 'member' ? person.data?.display_name : undefined) ??
    (type === 'group' ? group.data?.name : undefined) ??
    (type === 'role' ? roles.data?.items.find((r) => r.id === entry.target_id)?.name : undefined);
  return (
    <div className="member-cell">
      <span>
        {targetTypeLabel(t, type)}
        {name && <strong className="audit-target-name"> {name}</strong>}
      </span>
      <code className="permission-code" title={entry.target_id}>
        {entry.target_id.slice(0, 8)}
      </code>
    </div>
  );
}

function Json({ value }: { value: unknown }) {
  const { t } = useTranslation();
  if (value === null || value === undefined) return <span className="muted">{t('audit.nothing')}</span>;
  return <pre className="json-block">{JSON.stringify(value, null, 2)}</pre>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** fieldValue shows one field's value: text as it is, anything else as compact JSON. */
function fieldValue(v: unknown): string {
  if (v === undefined || v === null) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * changedFields lists what an entry changed, field by field: for an update the fields whose
 * values differ, for a creation or a deletion every field. Entries whose states are not objects
 * give none (they are shown whole).
 */
export function changedFields(before: unknown, after: unknown): { field: string; before: string; after: string }[] {
  if (!isRecord(before) && !isRecord(after)) return [];
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields
    .filter((f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]))
    .map((f) => ({ field: f, before: fieldValue(b[f]), after: fieldValue(a[f]) }));
}

/** Change shows an entry's change: the fields that changed from what to what, else both states whole. */
function Change({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const fields = changedFields(entry.before, entry.after);
  if (fields.length === 0) {
    return (
      <div className="audit-change">
        <div>
          <h3>{t('audit.before')}</h3>
          <Json value={entry.before} />
        </div>
        <div>
          <h3>{t('audit.after')}</h3>
          <Json value={entry.after} />
        </div>
      </div>
    );
  }
  return (
    <Table
      className="audit-change audit-change-fields"
      size="small"
      rowKey="field"
      pagination={false}
      dataSource={fields}
      aria-label={t('audit.changes')}
      columns={[
        { title: t('audit.field'), dataIndex: 'field', render: (f: string) => <code>{f}</code> },
        { title: t('audit.before'), dataIndex: 'before', render: (v: string) => <span className="audit-value">{v}</span> },
        { title: t('audit.after'), dataIndex: 'after', render: (v: string) => <span className="audit-value">{v}</span> },
      ]}
    />
  );
}

function query(filter: AuditFilter, format?: 'csv' | 'json'): string {
  const p = new URLSearchParams();
  if (format) p.set('format', format);
  for (const [k, v] of Object.entries(filter)) if (v) p.set(k, v);
  return p.toString();
}

/** AuditPage reads the audit log: who changed what, when and from where, with filters and exports. */
export default function AuditPage() {
  const { t, i18n } = useTranslation();
  const { org } = useCurrentOrg();
  const format = useFormat();
  const [actor, setActor] = useState<PickedMember>();
  const [action, setAction] = useState<string>();
  const [targetType, setTargetType] = useState<string>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const mobile = useMediaQuery('(max-width: 575.98px)');

  useEffect(() => {
    dayjs.locale(i18n.language === 'zh-CN' ? 'zh-cn' : 'en');
  }, [i18n.language]);

  const filter: AuditFilter = useMemo(() => {
    const day = (d: Dayjs, plus = 0) => startOfDay(d.year(), d.month(), d.date() + plus, format.timeZone);
    return {
      actor_id: actor?.value,
      action: action || undefined,
      target_type: targetType,
      from: range?.[0] ? day(range[0]) : undefined,
      // The whole of the last day: up to the start of the next.
      to: range?.[1] ? day(range[1], 1) : undefined,
    };
  }, [actor, action, targetType, range, format.timeZone]);
  const audit = useAudit(org?.id, filter);
  if (!org) return null;
  const entries = audit.data?.pages.flatMap((p) => p.items) ?? [];
  const base = `/api/v1/admin/orgs/${org.id}/audit/export`;

  // A choice list: every action in words, grouped by what it concerns, each group first offering
  // all of its actions at once (the API takes a prefix ending in ".").
  const prefixes = [...new Set(AUDIT_ACTIONS.map((a) => a.split('.')[0]))];
  const actionOptions = prefixes.map((p) => ({
    label: p,
    options: [
      { value: `${p}.`, label: t('audit.allOf', { prefix: `${p}.` }) },
      ...AUDIT_ACTIONS.filter((a) => a.startsWith(`${p}.`)).map((a) => ({ value: a, label: auditActionLabel(t, a) })),
    ],
  }));

  return (
    <>
      <PageHeader
        title={t('audit.title')}
        description={org.name}
        extra={
          <Space wrap>
            <Button icon={<DownloadOutlined aria-hidden />} href={`${base}?${query(filter, 'csv')}`} download>
              {t('audit.exportCsv')}
            </Button>
            <Button icon={<DownloadOutlined aria-hidden />} href={`${base}?${query(filter, 'json')}`} download>
              {t('audit.exportJson')}
            </Button>
          </Space>
        }
      />
      <Card>
        <div className="toolbar audit-filters" role="search" aria-label={t('audit.filters')}>
          <MemberPicker allowClear aria-label={t('audit.actor')} placeholder={t('audit.actor')} value={actor} onChange={setActor} className="toolbar-picker" />
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            aria-label={t('audit.action')}
            placeholder={t('audit.actionPlaceholder')}
            value={action}
            onChange={(v?: string) => setAction(v)}
            options={actionOptions}
            className="toolbar-picker"
            popupMatchSelectWidth={false}
          />
          <Select
            allowClear
            aria-label={t('audit.targetType')}
            placeholder={t('audit.targetType')}
            value={targetType}
            onChange={setTargetType}
            options={AUDIT_TARGET_TYPES.map((ty) => ({ value: ty, label: targetTypeLabel(t, ty) }))}
            className="toolbar-select"
          />
          <DatePicker.RangePicker
            aria-label={t('audit.dates')}
            value={range}
            onChange={(v) => setRange(v)}
            allowEmpty={[true, true]}
            placeholder={[t('audit.from'), t('audit.to')]}
            className="toolbar-range"
          />
        </div>
        <p className="table-caption">{t('audit.zoneNote', { zone: format.timeZone })}</p>
        {audit.isError ? (
          <PageError error={audit.error} onRetry={() => audit.refetch()} />
        ) : (
          <>
            <Table<AuditEntry>
              rowKey="id"
              size="small"
              loading={audit.isPending}
              dataSource={entries}
              pagination={false}
              scroll={mobile ? undefined : { x: 'max-content' }}
              locale={{ emptyText: t('audit.empty') }}
              expandable={{
                expandedRowRender: (e) => <Change entry={e} />,
              }}
              columns={mobile ? [
                {
                  title: t('audit.entry'),
                  key: 'entry',
                  render: (_, e) => (
                    <div className="member-cell">
                      <span className="member-name">{auditActionLabel(t, e.action)}</span>
                      <TargetName orgID={org.id} entry={e} />
                      <span className="member-email">
                        {t('audit.byAt', { who: e.actor_name || t('audit.system'), at: format.dateTime(e.at) })} ·{' '}
                        <code className="audit-ip" title={e.ip}>
                          {e.ip}
                        </code>
                      </span>
                    </div>
                  ),
                },
              ] : [
                { title: t('audit.time'), key: 'at', render: (_, e) => <span className="nowrap">{format.dateTime(e.at)}</span> },
                {
                  title: t('audit.actor'),
                  key: 'actor',
                  render: (_, e) => (
                    <div className="member-cell">
                      <span className="member-name" title={e.actor_id ?? undefined}>
                        {e.actor_name || t('audit.system')}
                      </span>
                      {e.token_id && (
                        <span className="member-email">
                          <Tag title={e.token_id}>{t('audit.viaToken', { id: e.token_id.slice(0, 8) })}</Tag>
                        </span>
                      )}
                    </div>
                  ),
                },
                {
                  title: t('audit.action'),
                  key: 'action',
                  render: (_, e) => (
                    <div className="member-cell">
                      <span className="member-name">{auditActionLabel(t, e.action)}</span>
                      <code className="permission-code">{e.action}</code>
                    </div>
                  ),
                },
                {
                  title: t('audit.target'),
                  key: 'target',
                  render: (_, e) => <TargetName orgID={org.id} entry={e} />,
                },
                {
                  title: t('audit.ip'),
                  key: 'ip',
                  render: (_, e) => (
                    <code className="audit-ip" title={e.ip}>
                      {e.ip}
                    </code>
                  ),
                },
              ]}
            />
            <div className="load-more">
              {audit.hasNextPage ? (
                <Button onClick={() => audit.fetchNextPage()} loading={audit.isFetchingNextPage}>
                  {t('audit.loadMore')}
                </Button>
              ) : (
                entries.length > 0 && <span className="muted">{t('audit.end', { count: entries.length })}</span>
              )}
            </div>
          </>
        )}
      </Card>
    </>
  );
}
