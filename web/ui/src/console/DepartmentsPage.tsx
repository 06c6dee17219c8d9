import { ApartmentOutlined, DeleteOutlined, DragOutlined, EditOutlined, PlusOutlined, SwapOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Breadcrumb, Button, Card, Checkbox, Empty, Form, Input, Modal, Space, Switch, Tree, type TreeProps } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError, api, unwrap, type Department, type DepartmentView, type Person } from '../api/client';
import { ROOT, keys, useDepartment, useDepartmentMembers } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { usePermissions } from '../auth/access';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { pickedName, type PickedMember } from '../directory/MemberPicker';
import { useDepartmentTree, type DepartmentTree } from '../directory/tree';
import { errorText } from '../lib/errors';
import { nameRules } from '../lib/rules';
import { useAction } from '../lib/useAction';
import { useIsMobile } from '../lib/useMediaQuery';
import { useSubmit } from '../lib/useSubmit';
import { FormDialog } from './shared/FormDialog';
import { AddMemberBar, MemberTable } from './shared/MemberTable';

const PAGE_SIZE = 20;

type ChildrenPage = { parent: DepartmentView; items: Department[] };

/**
 * DepartmentsPage edits the department tree: create, rename, move (by dragging, or with the Move
 * dialog from the keyboard), delete, and each department's members and leaders.
 */
export default function DepartmentsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { org } = useCurrentOrg();
  const perms = usePermissions();
  const mobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const tree = useDepartmentTree(org?.id);
  const [expanded, setExpanded] = useState<string[] | null>(null);
  const [moving, setMoving] = useState(false);
  const selected = params.get('dept') ?? tree.root?.id;
  const { load } = tree;
  const manageAnywhere = perms.canAnywhere('directory.manage');

  // Open the tree down to the selected department (after a reload, or a link).
  const view = useDepartment(org?.id, selected);
  const ancestors = view.data?.ancestors.map((a) => a.id).join();
  useEffect(() => {
    if (!ancestors) return;
    const ids = ancestors.split(',');
    Promise.all(ids.map((id) => load(id)))
      .then(() => setExpanded((e) => [...new Set([...(e ?? []), ...ids])]))
      .catch(() => {});
  }, [ancestors, load]);

  if (!org) return null;
  const orgID = org.id;
  const root = tree.root;
  const expandedKeys = expanded ?? (root ? [root.id] : []);
  const select = (id: string) => setParams(id === root?.id ? {} : { dept: id }, { replace: true });
  const expand = async (id: string) => {
    await load(id).catch(() => {});
    setExpanded((e) => [...new Set([...(e ?? expandedKeys), id])]);
  };
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });

  const childrenKey = (parentID: string) => keys.children(orgID, parentID === root?.id ? ROOT : parentID);

  /** move sends a department under a new parent at a place among its siblings (the end when undefined). */
  const move = async (dept: Department, parentID: string, position: number | undefined) => {
    const from = dept.parent_id!;
    // Show the move at once; the refresh afterwards puts it back if the server refuses.
    queryClient.setQueryData<ChildrenPage>(childrenKey(from), (old) =>
      old ? { ...old, items: old.items.filter((d) => d.id !== dept.id) } : old,
    );
    queryClient.setQueryData<ChildrenPage>(childrenKey(parentID), (old) => {
      if (!old) return old;
      const items = old.items.filter((d) => d.id !== dept.id);
      items.splice(position ?? items.length, 0, { ...dept, parent_id: parentID });
      return { ...old, items };
    });
    setMoving(true);
    try {
      await unwrap(
        api.PATCH('/api/v1/admin/orgs/{orgID}/departments/{departmentID}', {
          params: { path: { orgID, departmentID: dept.id } },
          body: position === undefined ? { parent_id: parentID } : { parent_id: parentID, position },
        }),
      );
      const parent = tree.find(parentID)?.name;
      message.success(
        from === parentID
          ? t('departments.reordered', { name: dept.name })
          : parent
            ? t('departments.moved', { name: dept.name, parent })
            : t('departments.movedPlain', { name: dept.name }),
      );
      if (from !== parentID) void expand(parentID);
    } catch (err) {
      message.error(t('departments.moveFailed', { reason: errorText(t, err) }));
    } finally {
      setMoving(false);
      await refresh();
    }
  };

  const onDrop: TreeProps['onDrop'] = (info) => {
    const dragID = String(info.dragNode.key);
    const targetID = String(info.node.key);
    const dept = tree.find(dragID);
    if (!dept || dept.parent_id === null) return;
    const relative = info.dropPosition - Number(info.node.pos.split('-').pop());
    let parentID: string;
    let position: number | undefined;
    if (!info.dropToGap) {
      // Onto a department: it becomes a child, first when its children are showing.
      parentID = targetID;
      position = info.node.expanded ? 0 : undefined;
    } else {
      const p = tree.parentOf(targetID);
      if (!p) return;
      parentID = p;
      const siblings = (tree.childrenOf.get(p) ?? []).filter((d) => d.id !== dragID);
      const index = siblings.findIndex((d) => d.id === targetID);
      position = relative < 0 ? index : index + 1;
    }
    if (parentID === dept.parent_id) {
      const now = (tree.childrenOf.get(parentID) ?? []).filter((d) => d.id !== dragID);
      const current = (tree.childrenOf.get(parentID) ?? []).findIndex((d) => d.id === dragID);
      if ((position ?? now.length) === current) return;
    }
    void move(dept, parentID, position);
  };

  return (
    <>
      <PageHeader title={t('departments.title')} description={org.name} />
      {!perms.orgWide('directory.manage') && (
        <Alert type="info" showIcon className="form-alert" message={manageAnywhere ? t('departments.limitedNote') : t('console.readOnlyNote')} />
      )}
      {tree.rootQuery.isPending ? (
        <PageLoading />
      ) : tree.rootQuery.isError ? (
        <PageError error={tree.rootQuery.error} onRetry={() => tree.rootQuery.refetch()} />
      ) : (
        <div className={mobile ? 'directory-browse' : 'directory-browse directory-browse-wide'}>
          <Card
            className="directory-tree-card"
            size="small"
            title={<h2>{t('departments.tree')}</h2>}
          >
            {manageAnywhere && (
              <p className="tree-hint">
                <DragOutlined aria-hidden /> {mobile ? t('departments.moveHintPhone') : t('departments.dragHint')}
              </p>
            )}
            <Tree
              className="console-tree"
              blockNode
              showLine
              aria-label={t('departments.tree')}
              aria-busy={moving}
              draggable={
                mobile || !manageAnywhere
                  ? false
                  : // Any department but the root may be picked up by someone who manages some of
                    // the tree: where they drop it decides, and the API refuses (and the page says
                    // so) what their grant does not cover.
                    { icon: false, nodeDraggable: (node) => node.key !== root?.id }
              }
              allowDrop={({ dropNode, dropPosition }) => !(dropNode.key === root?.id && dropPosition !== 0)}
              onDrop={onDrop}
              treeData={tree.nodes((d) => <span className="tree-title">{d.name}</span>)}
              selectedKeys={selected ? [selected] : []}
              expandedKeys={expandedKeys}
              onExpand={(ks) => setExpanded(ks.map(String))}
              loadData={(node) => tree.load(String(node.key))}
              loadedKeys={[...tree.childrenOf.keys()]}
              onSelect={(ks) => ks[0] && select(String(ks[0]))}
            />
          </Card>
          {selected && (
            <DepartmentPanel
              key={selected}
              orgID={orgID}
              id={selected}
              tree={tree}
              onSelect={select}
              onExpand={expand}
              onMove={move}
            />
          )}
        </div>
      )}
    </>
  );
}

interface PanelProps {
  orgID: string;
  id: string;
  tree: DepartmentTree;
  onSelect: (id: string) => void;
  onExpand: (id: string) => Promise<void>;
  onMove: (dept: Department, parentID: string, position: number | undefined) => Promise<void>;
}

type Dialog = 'create' | 'rename' | 'move' | 'delete' | undefined;

function DepartmentPanel({ orgID, id, tree, onSelect, onExpand, onMove }: PanelProps) {
  const { t } = useTranslation();
  const dept = useDepartment(orgID, id);
  const perms = usePermissions();
  const [dialog, setDialog] = useState<Dialog>();
  if (dept.isPending) return <Card className="directory-pane"><PageLoading /></Card>;
  if (dept.isError) return <Card className="directory-pane"><PageError error={dept.error} onRetry={() => dept.refetch()} /></Card>;
  const d = dept.data;
  const isRoot = d.parent_id === null;
  // A grant on the department or one of its ancestors lets one change it; the root, only an organisation-wide one.
  const manage = perms.can('directory.manage', [...d.ancestors.map((a) => a.id), d.id]);
  const close = () => setDialog(undefined);
  return (
    <Card className="directory-pane">
      {d.ancestors.length > 0 && (
        <Breadcrumb
          className="directory-breadcrumb"
          items={d.ancestors.map((a) => ({
            key: a.id,
            title: (
              <a href={`?dept=${a.id}`} onClick={(e) => { e.preventDefault(); onSelect(a.id); }}>
                {a.name}
              </a>
            ),
          }))}
        />
      )}
      <h2 className="department-title">
        <ApartmentOutlined aria-hidden /> {d.name}
      </h2>
      <p className="department-facts">{t('directory.facts', { members: d.member_count ?? 0, children: d.child_count ?? 0 })}</p>
      {manage && (
        <Space wrap className="department-actions">
          <Button icon={<PlusOutlined aria-hidden />} onClick={() => setDialog('create')}>
            {t('departments.addChild')}
          </Button>
          <Button icon={<EditOutlined aria-hidden />} onClick={() => setDialog('rename')}>
            {t('departments.rename')}
          </Button>
          {!isRoot && (
            <Button icon={<SwapOutlined aria-hidden />} onClick={() => setDialog('move')}>
              {t('departments.move')}
            </Button>
          )}
          {!isRoot && (
            <Button danger icon={<DeleteOutlined aria-hidden />} onClick={() => setDialog('delete')}>
              {t('departments.delete')}
            </Button>
          )}
        </Space>
      )}
      <DepartmentMembers orgID={orgID} dept={d} manage={manage} />
      {dialog === 'create' && <CreateDialog orgID={orgID} parent={d} onClose={close} onCreated={() => onExpand(d.id)} />}
      {dialog === 'rename' && <RenameDialog orgID={orgID} dept={d} onClose={close} />}
      {dialog === 'move' && <MoveDialog dept={d} tree={tree} onClose={close} onMove={onMove} />}
      {dialog === 'delete' && (
        <DeleteDialog orgID={orgID} dept={d} onClose={close} onDeleted={() => onSelect(d.parent_id ?? d.id)} />
      )}
    </Card>
  );
}

function CreateDialog({ orgID, parent, onClose, onCreated }: { orgID: string; parent: DepartmentView; onClose: () => void; onCreated: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  return (
    <FormDialog<{ name: string }>
      name="department-create"
      title={t('departments.createTitle', { parent: parent.name })}
      okText={t('departments.create')}
      onClose={onClose}
      onSubmit={async ({ name }) => {
        await unwrap(api.POST('/api/v1/admin/orgs/{orgID}/departments', { params: { path: { orgID } }, body: { parent_id: parent.id, name: name.trim() } }));
        message.success(t('departments.created', { name: name.trim() }));
        await queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
        onCreated();
      }}
    >
      <NameField />
    </FormDialog>
  );
}

function NameField() {
  const { t } = useTranslation();
  return (
    <Form.Item
      label={t('departments.name')}
      name="name"
      rules={[
        ...nameRules(t),
        { pattern: /^[^/]*$/, message: t('errors.invalidDepartmentName') },
      ]}
    >
      <Input autoFocus />
    </Form.Item>
  );
}

function RenameDialog({ orgID, dept, onClose }: { orgID: string; dept: DepartmentView; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  return (
    <FormDialog<{ name: string }>
      name="department-rename"
      title={t('departments.renameTitle', { name: dept.name })}
      okText={t('common.save')}
      initialValues={{ name: dept.name }}
      onClose={onClose}
      onSubmit={async ({ name }) => {
        await unwrap(
          api.PATCH('/api/v1/admin/orgs/{orgID}/departments/{departmentID}', {
            params: { path: { orgID, departmentID: dept.id } },
            body: { name: name.trim() },
          }),
        );
        message.success(t('departments.renamed', { name: name.trim() }));
        await queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
      }}
    >
      <NameField />
    </FormDialog>
  );
}

function MoveDialog({ dept, tree, onClose, onMove }: { dept: DepartmentView; tree: DepartmentTree; onClose: () => void; onMove: PanelProps['onMove'] }) {
  const { t } = useTranslation();
  const [parentID, setParentID] = useState<string | undefined>(dept.parent_id ?? undefined);
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open
      title={t('departments.moveTitle', { name: dept.name })}
      onCancel={onClose}
      okText={t('departments.move')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !parentID || parentID === dept.parent_id }}
      confirmLoading={busy}
      onOk={async () => {
        if (!parentID) return;
        setBusy(true);
        await onMove(dept, parentID, undefined);
        setBusy(false);
        onClose();
      }}
      destroyOnHidden
    >
      <p>{t('departments.moveText')}</p>
      <label className="field-label" htmlFor="move-parent">
        {t('departments.newParent')}
      </label>
      <DepartmentPicker id="move-parent" value={parentID} onChange={setParentID} exclude={[dept.id]} className="full-width" />
      {tree.root && parentID === tree.root.id && <p className="field-help">{t('departments.moveToTop')}</p>}
    </Modal>
  );
}

function DeleteDialog({ orgID, dept, onClose, onDeleted }: { orgID: string; dept: DepartmentView; onClose: () => void; onDeleted: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [childrenTo, setChildrenTo] = useState<string | undefined>(dept.parent_id ?? undefined);
  const [membersTo, setMembersTo] = useState<string | undefined>(dept.parent_id ?? undefined);
  // Filled in when the server says there is something to move that the page did not know of.
  const [needsChildren, setNeedsChildren] = useState((dept.child_count ?? 0) > 0);
  const [needsMembers, setNeedsMembers] = useState((dept.member_count ?? 0) > 0);
  const { busy, error, submit } = useSubmit();

  const onOk = () =>
    submit(
      async () => {
        await unwrap(
          api.DELETE('/api/v1/admin/orgs/{orgID}/departments/{departmentID}', {
            params: {
              path: { orgID, departmentID: dept.id },
              query: {
                move_children_to: needsChildren ? childrenTo : undefined,
                move_members_to: needsMembers ? membersTo : undefined,
              },
            },
          }),
        );
        message.success(t('departments.deleted', { name: dept.name }));
        onDeleted();
        onClose();
        await queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
      },
      (err) => {
        const code = err instanceof ApiError ? err.code : undefined;
        if (code === 'department_has_children') setNeedsChildren(true);
        if (code === 'department_has_members') setNeedsMembers(true);
        void queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
      },
    );

  const missing = (needsChildren && !childrenTo) || (needsMembers && !membersTo);
  return (
    <Modal
      open
      title={t('departments.deleteTitle', { name: dept.name })}
      onCancel={onClose}
      okText={t('departments.delete')}
      okButtonProps={{ danger: true, disabled: missing }}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={onOk}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      {!needsChildren && !needsMembers ? (
        <p>{t('departments.deleteEmpty')}</p>
      ) : (
        <>
          <p>{t('departments.deleteMoveText', { children: dept.child_count ?? 0, members: dept.member_count ?? 0 })}</p>
          {needsChildren && (
            <div className="dialog-field">
              <label className="field-label" htmlFor="delete-children-to">
                {t('departments.moveChildrenTo')}
              </label>
              <DepartmentPicker id="delete-children-to" value={childrenTo} onChange={setChildrenTo} exclude={[dept.id]} className="full-width" />
            </div>
          )}
          {needsMembers && (
            <div className="dialog-field">
              <label className="field-label" htmlFor="delete-members-to">
                {t('departments.moveMembersTo')}
              </label>
              <DepartmentPicker id="delete-members-to" value={membersTo} onChange={setMembersTo} exclude={[dept.id]} className="full-width" />
            </div>
          )}
        </>
      )}
    </Modal>
  );
}

function DepartmentMembers({ orgID, dept, manage }: { orgID: string; dept: DepartmentView; manage: boolean }) {
  const { t } = useTranslation();
  const { confirm, perform } = useAction();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [picked, setPicked] = useState<PickedMember>();
  const [leader, setLeader] = useState(false);
  const [adding, setAdding] = useState(false);
  const [busyID, setBusyID] = useState<string>();
  const members = useDepartmentMembers(orgID, dept.id, { subtree: false, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const leaders = new Set(dept.leaders.map((l) => l.user_id));
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
  const memberPath = (userID: string) => ({ path: { orgID, departmentID: dept.id, userID } });
  const put = (userID: string, lead: boolean) =>
    unwrap(api.PUT('/api/v1/admin/orgs/{orgID}/departments/{departmentID}/members/{userID}', { params: memberPath(userID), body: { leader: lead } }));

  const add = async () => {
    if (!picked) return;
    setAdding(true);
    await perform({
      run: async () => {
        await put(picked.value, leader);
        setPicked(undefined);
        setLeader(false);
      },
      success: t('departments.memberAdded', { name: pickedName(picked), department: dept.name }),
      refresh,
    });
    setAdding(false);
  };

  const setLead = async (p: Person, lead: boolean) => {
    setBusyID(p.user_id);
    await perform({
      run: () => put(p.user_id, lead),
      success: lead ? t('departments.leaderSet', { name: p.display_name }) : t('departments.leaderUnset', { name: p.display_name }),
      refresh,
    });
    setBusyID(undefined);
  };

  const remove = (p: Person) =>
    confirm({
      title: t('departments.removeTitle', { name: p.display_name, department: dept.name }),
      content: t('departments.removeText'),
      okText: t('departments.remove'),
      run: () => unwrap(api.DELETE('/api/v1/admin/orgs/{orgID}/departments/{departmentID}/members/{userID}', { params: memberPath(p.user_id) })),
      success: t('departments.memberRemoved', { name: p.display_name }),
      refresh,
    });

  return (
    <section className="department-members">
      <h3 className="section-title">{t('departments.members', { name: dept.name })}</h3>
      {manage && (
        <AddMemberBar
          label={t('departments.addMemberPicker')}
          addText={t('departments.addMember')}
          value={picked}
          onChange={setPicked}
          onAdd={add}
          adding={adding}
        >
          <Checkbox checked={leader} onChange={(e) => setLeader(e.target.checked)}>
            {t('departments.asLeader')}
          </Checkbox>
        </AddMemberBar>
      )}
      <MemberTable<Person>
        query={members}
        page={page}
        pageSize={PAGE_SIZE}
        onPage={setPage}
        empty={<Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('directory.noMembers')} />}
        columns={[
          {
            title: t('directory.leader'),
            key: 'leader',
            render: (_, p) => (
              <Switch
                size="small"
                checked={leaders.has(p.user_id)}
                disabled={!manage}
                loading={busyID === p.user_id}
                onChange={(on) => setLead(p, on)}
                aria-label={t('departments.leaderOf', { name: p.display_name, department: dept.name })}
              />
            ),
          },
        ]}
        actions={manage ? (p) => (
          <Button size="small" onClick={() => remove(p)} aria-label={t('departments.removeNamed', { name: p.display_name })}>
            {t('departments.remove')}
          </Button>
        ) : undefined}
      />
    </section>
  );
}
