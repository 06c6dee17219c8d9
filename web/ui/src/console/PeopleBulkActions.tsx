import { ApartmentOutlined, DownloadOutlined, MailOutlined, StopOutlined, TeamOutlined, UserSwitchOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Modal, Radio } from 'antd';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, readCookie, toApiError, unwrap, type Role } from '../api/client';
import type { components } from '../api/schema';
import { keys, useDepartment } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { usePermissions } from '../auth/access';
import { ErrorAlert } from '../components/ErrorAlert';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { GroupPicker } from '../directory/GroupPicker';
import { errorText } from '../lib/errors';
import { roleLabel } from '../lib/labels';

/** The people table's filters, as the bulk API and the export take them (the same as GET .../people's). */
export interface PeopleFilter {
  department_id?: string;
  subtree?: boolean;
  role?: Role;
  status?: 'active' | 'deactivated';
  manager_id?: string;
  q?: string;
}

type Schemas = components['schemas'];
export type BulkAction = Schemas['BulkPeopleAction'];
/** The body of POST .../people/bulk. */
export type BulkRequest = Schemas['BulkPeopleRequest'];
/** The answer of POST .../people/bulk. */
export type BulkResult = Schemas['BulkPeopleResult'];

/** What a bulk action applies to: the selected people, or everyone the filter matches. */
type BulkTarget = { user_ids: string[] } | { filter: Schemas['PeopleFilter'] };

/** The most names a result lists for one reason; the rest are counted. */
const NAMES_SHOWN = 5;
/** The most people one group holds, and so the most a filter may add to one. */
const GROUP_CAP = 1000;
/** The page size for reading a filter's people to add them to a group. */
const PAGE = 200;

/** compact drops the filter's unset fields, so that {} means everyone. */
export function compact(filter: PeopleFilter): PeopleFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '')) as PeopleFilter;
}

/** write posts JSON with the session's CSRF token and answers the response, or throws an ApiError. */
async function write(path: string, body: unknown): Promise<Response> {
  const headers = new Headers({ 'Content-Type': 'application/json' });
  const csrf = readCookie('canopy_csrf');
  if (csrf) headers.set('X-CSRF-Token', csrf);
  const response = await globalThis.fetch(
    new Request(new URL(path, globalThis.location.origin), { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body) }),
  );
  if (!response.ok) {
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      parsed = undefined;
    }
    throw toApiError(response, parsed);
  }
  return response;
}

function runBulk(orgID: string, body: BulkRequest): Promise<BulkResult> {
  return unwrap(api.POST('/api/v1/admin/orgs/{orgID}/people/bulk', { params: { path: { orgID } }, body }));
}

/** exportSelection downloads the selected people (POST .../people/export) as the named format. */
async function exportSelection(orgID: string, format: 'xlsx' | 'csv', userIDs: string[]) {
  const response = await write(`/api/v1/admin/orgs/${orgID}/people/export`, { format, user_ids: userIDs });
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? `people.${format}`;
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = decodeURIComponent(name);
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(href);
}

/** exportLink is GET .../people/export with the filter's query parameters. */
export function exportLink(orgID: string, format: 'xlsx' | 'csv', filter: PeopleFilter): string {
  const params = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(compact(filter))) params.set(k, String(v));
  return `/api/v1/admin/orgs/${orgID}/people/export?${params.toString()}`;
}

function reasonText(t: TFunction, reason: string): string {
  switch (reason) {
    case 'owner':
      return t('people.bulk.reasons.owner');
    case 'self':
      return t('people.bulk.reasons.self');
    case 'already_deactivated':
      return t('people.bulk.reasons.already_deactivated');
    case 'already_there':
      return t('people.bulk.reasons.already_there');
    case 'same_role':
      return t('people.bulk.reasons.same_role');
    case 'not_pending':
      return t('people.bulk.reasons.not_pending');
    default:
      return t('people.bulk.reasons.other');
  }
}

/**
 * skippedText says who was skipped and why, grouped by reason: "2 skipped: already in that
 * department (Zhang Wei, Li Na)". Empty when nobody was.
 */
export function skippedText(t: TFunction, skipped: BulkResult['skipped']): string {
  if (skipped.length === 0) return '';
  const byReason = new Map<string, string[]>();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.name]);
  const sep = t('people.bulk.separator');
  const groups = [...byReason].map(([reason, names]) => {
    const shown = names.slice(0, NAMES_SHOWN).join(sep);
    const list = names.length > NAMES_SHOWN ? t('people.bulk.more', { names: shown, count: names.length - NAMES_SHOWN }) : shown;
    return t('people.bulk.reasonGroup', { reason: reasonText(t, reason), names: list });
  });
  return t('people.bulk.skipped', { count: skipped.length, reasons: groups.join(t('people.bulk.groupSeparator')) });
}

/** Outcome is what the last action did, in words, shown until the next one or until closed. */
type Outcome = { type: 'success' | 'error'; message: string; description?: string };

type Dialog = 'move' | 'role' | 'group';

interface Props {
  orgID: string;
  /** The selected people's ids (ignored while allMatching). */
  selected: string[];
  /** Whether the whole filter result is the target rather than the selection. */
  allMatching: boolean;
  /** The table's current filter. */
  filter: PeopleFilter;
  /** How many people the filter matches; undefined while that is being found out. */
  total?: number;
  onSelectAllMatching: () => void;
  /** Ends the selection (after an action, or when asked). */
  onClear: () => void;
}

/**
 * PeopleBulkActions is the people table's bar of actions on a selection or, after "Select all N
 * matching this filter", on the whole filter result: move to a department, add to a group,
 * change role, deactivate, resend activation, export (POST .../people/bulk, .../people/export,
 * .../groups/{id}/members/bulk). Each action is offered by permission, says what it did and
 * whom it skipped in words, refreshes the table and ends the selection.
 */
export function PeopleBulkActions({ orgID, selected, allMatching, filter, total, onSelectAllMatching, onClear }: Props) {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const perms = usePermissions();
  const orgName = useCurrentOrg().org?.name ?? '';
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>();
  const [outcome, setOutcome] = useState<Outcome>();

  const count = allMatching ? (total ?? 0) : selected.length;
  // The filter's sub-departments count unless the switch says otherwise, as in GET .../people.
  const target: BulkTarget = allMatching ? { filter: { subtree: true, ...compact(filter) } } : { user_ids: selected };
  const mayMove = perms.canAnywhere('directory.manage');
  const mayManage = perms.can('members.manage');
  const mayExport = perms.orgWide('members.manage') && perms.orgWide('directory.manage');

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.members(orgID) });
    void queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
  };
  const done = (o: Outcome) => {
    setOutcome(o);
    refresh();
    onClear();
  };
  const failed = (err: unknown) => setOutcome({ type: 'error', message: failure(t, err, count) });

  /** report turns a bulk answer into the words shown for it. */
  const report = (r: BulkResult, changed: string) => done({ type: 'success', message: changed, description: skippedText(t, r.skipped) || undefined });

  const confirmAction = (action: 'deactivate' | 'resend_activation') =>
    modal.confirm({
      title: action === 'deactivate' ? t('people.bulk.deactivateTitle', { count }) : t('people.bulk.resendTitle', { count }),
      content: action === 'deactivate' ? t('people.bulk.deactivateText', { org: orgName }) : t('people.bulk.resendText'),
      okText: action === 'deactivate' ? t('people.bulk.deactivate') : t('people.bulk.resendOk'),
      okButtonProps: action === 'deactivate' ? { danger: true } : undefined,
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          const r = await runBulk(orgID, { ...target, action });
          report(r, action === 'deactivate' ? t('people.bulk.deactivated', { count: r.changed }) : t('people.bulk.resent', { count: r.changed }));
        } catch (err) {
          failed(err);
        }
      },
    });

  const download = async (format: 'xlsx' | 'csv') => {
    try {
      await exportSelection(orgID, format, selected);
    } catch (err) {
      setOutcome({ type: 'error', message: t('people.bulk.exportFailed', { reason: errorText(t, err) }) });
    }
  };

  return (
    <>
      {outcome && (
        <Alert
          className="people-bulk-result"
          role={outcome.type === 'error' ? 'alert' : 'status'}
          type={outcome.type === 'error' ? 'error' : outcome.description ? 'warning' : 'success'}
          showIcon
          closable
          onClose={() => setOutcome(undefined)}
          message={outcome.message}
          description={outcome.description}
          style={{ marginBottom: 8 }}
        />
      )}
      {count > 0 && (
        <div className="toolbar people-bulk" role="region" aria-label={t('people.selection')}>
          <span>{allMatching ? t('people.bulk.allMatching', { count }) : t('people.selected', { count })}</span>
          {!allMatching && total !== undefined && total > selected.length && (
            <Button type="link" className="people-select-all" style={{ whiteSpace: 'normal', height: 'auto', textAlign: 'left', padding: 0 }} onClick={onSelectAllMatching}>
              {t('people.bulk.selectAllMatching', { count: total })}
            </Button>
          )}
          {mayMove && (
            <Button icon={<ApartmentOutlined aria-hidden />} onClick={() => setDialog('move')}>
              {t('people.bulk.move')}
            </Button>
          )}
          <Button icon={<TeamOutlined aria-hidden />} onClick={() => setDialog('group')}>
            {t('people.addToGroup')}
          </Button>
          {mayManage && (
            <>
              <Button icon={<UserSwitchOutlined aria-hidden />} onClick={() => setDialog('role')}>
                {t('people.bulk.role')}
              </Button>
              <Button danger icon={<StopOutlined aria-hidden />} onClick={() => confirmAction('deactivate')}>
                {t('people.bulk.deactivate')}
              </Button>
              <Button icon={<MailOutlined aria-hidden />} onClick={() => confirmAction('resend_activation')}>
                {t('people.bulk.resend')}
              </Button>
            </>
          )}
          {mayExport &&
            (allMatching ? (
              <>
                <Button icon={<DownloadOutlined aria-hidden />} href={exportLink(orgID, 'xlsx', filter)} download>
                  {t('people.exportXlsx')}
                </Button>
                <Button icon={<DownloadOutlined aria-hidden />} href={exportLink(orgID, 'csv', filter)} download>
                  {t('people.exportCsv')}
                </Button>
              </>
            ) : (
              <>
                <Button icon={<DownloadOutlined aria-hidden />} onClick={() => void download('xlsx')}>
                  {t('people.exportXlsx')}
                </Button>
                <Button icon={<DownloadOutlined aria-hidden />} onClick={() => void download('csv')}>
                  {t('people.exportCsv')}
                </Button>
              </>
            ))}
          <Button type="link" onClick={onClear}>
            {t('people.clearSelection')}
          </Button>
        </div>
      )}
      {dialog === 'move' && (
        <MoveDialog
          orgID={orgID}
          count={count}
          onClose={() => setDialog(undefined)}
          onMove={async (departmentID, name) => {
            const r = await runBulk(orgID, { ...target, action: 'move_department', department_id: departmentID });
            report(r, t('people.bulk.moved', { count: r.changed, department: name }));
          }}
        />
      )}
      {dialog === 'role' && (
        <RoleDialog
          count={count}
          onClose={() => setDialog(undefined)}
          onChange={async (role) => {
            const r = await runBulk(orgID, { ...target, action: 'change_role', role });
            report(r, t('people.bulk.roleChanged', { count: r.changed, role: roleLabel(t, role) }));
          }}
        />
      )}
      {dialog === 'group' && (
        <AddToGroupDialog
          orgID={orgID}
          count={count}
          target={target}
          onClose={() => setDialog(undefined)}
          onDone={(message) => done({ type: 'success', message })}
        />
      )}
    </>
  );
}

/** failure says why a bulk action failed, naming the count when the selection is too large. */
function failure(t: TFunction, err: unknown, count: number): string {
  if (err instanceof ApiError && err.code === 'selection_too_large') return t('people.bulk.tooLarge', { count });
  return errorText(t, err);
}

/** useBulkSubmit runs a dialog's call: busy while it runs, and why it failed in words. */
function useBulkSubmit(count: number) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (work: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (err) {
      setError(err instanceof GroupTooLarge ? t('people.bulk.groupTooLarge') : failure(t, err, count));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

/** GroupTooLarge is a filter matching more people than a group holds. */
class GroupTooLarge extends Error {}

/** MoveDialog picks the department the people move to, as their primary one. */
function MoveDialog({ orgID, count, onClose, onMove }: { orgID: string; count: number; onClose: () => void; onMove: (id: string, name: string) => Promise<void> }) {
  const { t } = useTranslation();
  const [department, setDepartment] = useState<string>();
  const chosen = useDepartment(orgID, department);
  const { busy, error, submit } = useBulkSubmit(count);
  const move = async () => {
    if (!department) return;
    const name = chosen.data?.id === department ? chosen.data.name : '';
    if (await submit(() => onMove(department, name))) onClose();
  };
  return (
    <Modal
      open
      title={t('people.bulk.moveTitle', { count })}
      onCancel={onClose}
      onOk={move}
      okText={t('people.bulk.moveOk')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !department || !chosen.data }}
      confirmLoading={busy}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      <p>{t('people.bulk.moveHelp')}</p>
      <DepartmentPicker aria-label={t('people.bulk.department')} placeholder={t('people.bulk.department')} value={department} onChange={setDepartment} className="full-width" />
    </Modal>
  );
}

/** RoleDialog picks the organisation role the people get: admin or member. */
function RoleDialog({ count, onClose, onChange }: { count: number; onClose: () => void; onChange: (role: 'admin' | 'member') => Promise<void> }) {
  const { t } = useTranslation();
  const [role, setRole] = useState<'admin' | 'member'>();
  const { busy, error, submit } = useBulkSubmit(count);
  const change = async () => {
    if (!role) return;
    if (await submit(() => onChange(role))) onClose();
  };
  return (
    <Modal
      open
      title={t('people.bulk.roleTitle', { count })}
      onCancel={onClose}
      onOk={change}
      okText={t('people.bulk.roleOk')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !role }}
      confirmLoading={busy}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      <p>{t('people.bulk.roleHelp')}</p>
      <div role="radiogroup" aria-label={t('people.bulk.newRole')}>
        <Radio.Group
          value={role}
          onChange={(e) => setRole(e.target.value as 'admin' | 'member')}
          options={[
            { value: 'admin', label: roleLabel(t, 'admin') },
            { value: 'member', label: roleLabel(t, 'member') },
          ]}
        />
      </div>
    </Modal>
  );
}

/**
 * filterIDs reads everyone a filter matches (GET .../people, a page at a time), for the group
 * API, which takes ids; more than a group holds is refused before reading on.
 */
async function filterIDs(orgID: string, filter: PeopleFilter): Promise<string[] | undefined> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await unwrap(
      api.GET('/api/v1/admin/orgs/{orgID}/people', { params: { path: { orgID }, query: { ...filter, sort: 'name', limit: PAGE, cursor } } }),
    );
    if (page.total > GROUP_CAP) return undefined;
    ids.push(...page.items.map((p) => p.user_id));
    if (!page.next_cursor || page.items.length === 0) return ids;
    cursor = page.next_cursor;
  }
}

/**
 * AddToGroupDialog adds the people to a group, all or nothing (POST .../groups/{groupID}/members/bulk).
 * That API takes ids, so a filter's people are read first (at most a group's cap of them).
 */
function AddToGroupDialog({ orgID, count, target, onClose, onDone }: { orgID: string; count: number; target: BulkTarget; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const [group, setGroup] = useState<string>();
  const { busy, error, submit } = useBulkSubmit(count);
  const add = async () => {
    if (!group) return;
    const ok = await submit(async () => {
      const ids = 'user_ids' in target ? target.user_ids : await filterIDs(orgID, target.filter);
      if (!ids) throw new GroupTooLarge();
      const r = await unwrap(api.POST('/api/v1/admin/orgs/{orgID}/groups/{groupID}/members/bulk', { params: { path: { orgID, groupID: group } }, body: { user_ids: ids } }));
      onDone(t('people.groupAdded', { added: r.added, already: r.already_in_group, skipped: r.skipped_deactivated + r.skipped_guests }));
    });
    if (ok) onClose();
  };
  return (
    <Modal
      open
      title={t('people.addToGroupTitle', { count })}
      onCancel={onClose}
      onOk={add}
      okText={t('people.addToGroupOk')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !group }}
      confirmLoading={busy}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      <GroupPicker aria-label={t('people.group')} placeholder={t('people.group')} value={group} onChange={setGroup} className="full-width" />
    </Modal>
  );
}
