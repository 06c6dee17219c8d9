import { Form, Input, Modal, Tree } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { filesErrorText } from './format';
import { FolderIcon } from './FileIcon';

/** NameDialog asks for a name: of a new folder, or the new name of a file or folder. */
export function NameDialog({
  title,
  okText,
  initial,
  onSubmit,
  onClose,
}: {
  title: string;
  okText: string;
  initial?: string;
  onSubmit: (name: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const finish = async ({ name }: { name: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(name.normalize('NFC').trim());
      onClose();
    } catch (err) {
      setError(filesErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={title} okText={okText} cancelText={t('common.cancel')} onOk={() => form.submit()} onCancel={onClose} confirmLoading={busy} destroyOnHidden>
      <ErrorAlert error={error} />
      <Form form={form} name="file-name" layout="vertical" requiredMark={false} disabled={busy} initialValues={{ name: initial ?? '' }} onFinish={finish}>
        <Form.Item
          label={t('files.name')}
          name="name"
          rules={[
            { required: true, whitespace: true, message: t('files.validation.nameRequired') },
            {
              validator: (_, value: string) =>
                !value || (!/[/\u0000-\u001f\u007f]/.test(value) && new TextEncoder().encode(value.normalize('NFC').trim()).length <= 255 && !['.', '..'].includes(value.trim()))
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('files.validation.nameInvalid'))),
            },
          ]}
        >
          <Input autoFocus onFocus={(e) => initial && e.target.setSelectionRange(0, initial.lastIndexOf('.') > 0 ? initial.lastIndexOf('.') : initial.length)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

const ROOT = 'root';

interface FolderNode extends DataNode {
  key: string;
  children?: FolderNode[];
}

function replaceChildren(nodes: FolderNode[], key: string, children: FolderNode[]): FolderNode[] {
  return nodes.map((n) =>
    n.key === key ? { ...n, children } : n.children ? { ...n, children: replaceChildren(n.children, key, children) } : n,
  );
}

/**
 * MoveDialog picks the folder of the same space to move something into, loading each level of
 * folders as it is opened. The folder being moved cannot be chosen, nor anything under it.
 */
export function MoveDialog({
  orgID,
  spaceID,
  spaceName,
  name,
  moving,
  onSubmit,
  onClose,
}: {
  orgID: string;
  spaceID: string;
  spaceName: string;
  name: string;
  /** The folder being moved, if it is one. */
  moving?: string;
  onSubmit: (folderID: string | null) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [tree, setTree] = useState<FolderNode[]>([{ key: ROOT, title: spaceName, icon: <FolderIcon /> }]);
  const [selected, setSelected] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const load = async (key: string) => {
    const page = await unwrap(
      api.GET('/api/v1/orgs/{orgID}/spaces/{spaceID}/entries', {
        params: { path: { orgID, spaceID }, query: { folder_id: key === ROOT ? undefined : key, sort: 'name', order: 'asc', limit: 200 } },
      }),
    );
    const children: FolderNode[] = page.items
      .filter((e) => e.type === 'folder' && e.folder)
      .map((e) => ({
        key: e.folder!.id,
        title: e.folder!.name,
        icon: <FolderIcon />,
        disabled: e.folder!.id === moving,
        isLeaf: e.folder!.id === moving ? true : undefined,
      }));
    setTree((old) => replaceChildren(old, key, children));
  };

  const ok = async () => {
    if (!selected) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(selected === ROOT ? null : selected);
      onClose();
    } catch (err) {
      setError(filesErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('files.move.title', { name })}
      okText={t('files.move.ok')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !selected }}
      onOk={ok}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      <p className="muted">{t('files.move.help')}</p>
      <Tree<FolderNode>
        className="move-tree"
        aria-label={t('files.move.tree')}
        showIcon
        blockNode
        treeData={tree}
        defaultExpandedKeys={[ROOT]}
        loadData={(node) => load(String(node.key))}
        selectedKeys={selected ? [selected] : []}
        onSelect={(keys) => setSelected(keys[0] === undefined ? undefined : String(keys[0]))}
      />
    </Modal>
  );
}
