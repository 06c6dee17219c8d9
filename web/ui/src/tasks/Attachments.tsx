import { CloseOutlined, PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, List, Progress, Typography, Upload } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { contentUrl } from '../files/api';
import { filesErrorText, formatBytes } from '../files/format';
import { UploadManager, uploadPercent, useUploads } from '../files/uploads';
import { tasksApi, useAttachments, type Task } from './api';
import { tasksErrorText, useTasksRefresh } from './shared';

/**
 * attachmentUploads runs the uploads of attachments, apart from the Files page's list: a file is
 * uploaded into the list owner's space (where its retention applies), then linked to the task.
 */
export const attachmentUploads = new UploadManager();

/** Attachments lists a task's files with download links, uploads new ones and unlinks them. */
export function Attachments({ orgID, task, writable }: { orgID: string; task: Task; writable: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const attachments = useAttachments(orgID, task.id);
  const refresh = useTasksRefresh(orgID);
  const rows = useUploads(attachmentUploads);
  // The uploads started here, with the task each one is for.
  const pending = useRef(new Map<string, string>());
  const mine = rows.filter((r) => pending.current.has(r.id) && r.status !== 'done');

  useEffect(
    () =>
      attachmentUploads.onFinished((row) => {
        const taskID = pending.current.get(row.id);
        if (!taskID || !row.fileID) return;
        pending.current.delete(row.id);
        tasksApi
          .attach(orgID, taskID, row.fileID)
          .then(() => refresh())
          .catch((err) => message.error(tasksErrorText(t, err)));
      }),
    [orgID, refresh, message, t],
  );

  const upload = (file: File) => {
    const spaceID = attachments.data?.space_id;
    if (!spaceID) return;
    for (const id of attachmentUploads.add([file], { orgID, spaceID })) pending.current.set(id, task.id);
  };
  const remove = async (fileID: string) => {
    try {
      await tasksApi.detach(orgID, task.id, fileID);
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };

  return (
    <section className="task-section" aria-labelledby="attachments-heading">
      <h3 id="attachments-heading">{t('tasks.attachments.title')}</h3>
      <List
        size="small"
        loading={attachments.isPending}
        dataSource={attachments.data?.items ?? []}
        locale={{ emptyText: t('tasks.attachments.none') }}
        renderItem={(a) => (
          <List.Item
            actions={
              writable
                ? [
                    <Button key="x" size="small" type="text" icon={<CloseOutlined />} aria-label={t('tasks.attachments.remove', { name: a.name })} onClick={() => void remove(a.file_id)} />,
                  ]
                : []
            }
          >
            <PaperClipOutlined aria-hidden />{' '}
            <a href={contentUrl(orgID, a.file_id, { download: true })} download={a.name}>
              {a.name}
            </a>{' '}
            <Typography.Text type="secondary">
              {formatBytes(a.size, i18n.language)} · {a.added_by.name}
            </Typography.Text>
          </List.Item>
        )}
      />
      {mine.map((r) => (
        <div key={r.id} className="attachment-upload">
          <span>{r.name}</span>
          {r.status === 'error' ? (
            <Typography.Text type="danger">{filesErrorText(t, r.error)}</Typography.Text>
          ) : (
            <Progress percent={uploadPercent(r)} size="small" />
          )}
        </div>
      ))}
      {writable && (
        <Upload
          showUploadList={false}
          multiple
          disabled={!attachments.data?.space_id}
          beforeUpload={(file) => {
            upload(file);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} data-testid="attachment-upload">
            {t('tasks.attachments.upload')}
          </Button>
        </Upload>
      )}
    </section>
  );
}
