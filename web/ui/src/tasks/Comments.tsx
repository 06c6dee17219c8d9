import { App, Button, List, Mentions, Popconfirm, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe, useMembers } from '../api/queries';
import { PersonOption } from '../directory/PersonOption';
import { PersonAvatar } from '../directory/people';
import { useFormat } from '../lib/hooks';
import { tasksApi, useComments, type Task, type TaskComment } from './api';
import { mentionIDs, type Mentioned } from './mentions';
import { tasksErrorText, useTasksRefresh } from './shared';

/** COMMENT_MAX is the server's limit on a comment's body (16 KiB). */
const COMMENT_MAX = 16 * 1024;

/**
 * CommentBox writes a comment in Markdown. Typing @ offers members as the user types their name
 * (its pinyin, email or employee number), each with their department; the ones picked and still
 * named in the text are sent as mention_ids, so they are notified.
 */
export function CommentBox({ orgID, taskID, onPosted }: { orgID: string; taskID: string; onPosted?: (c: TaskComment) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [body, setBody] = useState('');
  const [search, setSearch] = useState<string>();
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<Mentioned[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (search === undefined) return;
    const timer = window.setTimeout(() => setQ(search.trim()), 200);
    return () => window.clearTimeout(timer);
  }, [search]);
  const members = useMembers(search !== undefined ? orgID : undefined, { q, status: 'active', limit: 10, offset: 0 });
  const options = (members.data?.items ?? []).map((m) => ({
    key: m.user_id,
    value: m.display_name,
    label: (
      <span data-testid={`mention-option-${m.display_name}`}>
        <PersonOption person={m} />
      </span>
    ),
  }));

  const post = async () => {
    const text = body.trim();
    if (!text) return;
    setBusy(true);
    try {
      const c = await tasksApi.addComment(orgID, taskID, text, mentionIDs(text, picked));
      setBody('');
      setPicked([]);
      onPosted?.(c);
    } catch (err) {
      message.error(tasksErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="comment-box">
      <Mentions
        data-testid="comment-box"
        aria-label={t('tasks.comments.label')}
        placeholder={t('tasks.comments.placeholder')}
        rows={3}
        value={body}
        maxLength={COMMENT_MAX}
        onChange={setBody}
        prefix="@"
        filterOption={false}
        onSearch={(text) => setSearch(text)}
        onSelect={(option) => {
          const id = option.key ?? members.data?.items.find((m) => m.display_name === option.value)?.user_id;
          if (id && option.value) setPicked((p) => [...p, { id: String(id), name: option.value! }]);
        }}
        options={options}
        notFoundContent={members.isFetching ? t('common.loading') : t('members.noMatch')}
        popupClassName="mention-autocomplete"
        disabled={busy}
      />
      <Space className="comment-actions">
        <Typography.Text type="secondary">{t('tasks.comments.hint')}</Typography.Text>
        <Button type="primary" onClick={() => void post()} loading={busy} disabled={!body.trim()} data-testid="comment-submit">
          {t('tasks.comments.post')}
        </Button>
      </Space>
    </div>
  );
}

/** Comments lists a task's comments, oldest first, and adds one. */
export function Comments({ orgID, task, manager }: { orgID: string; task: Task; manager: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const format = useFormat();
  const me = useMe();
  const comments = useComments(orgID, task.id);
  const refresh = useTasksRefresh(orgID);
  const remove = async (c: TaskComment) => {
    try {
      await tasksApi.deleteComment(orgID, task.id, c.id);
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };
  return (
    <div className="task-comments">
      <List
        loading={comments.isPending}
        dataSource={comments.data?.items ?? []}
        locale={{ emptyText: t('tasks.comments.none') }}
        renderItem={(c) => (
          <List.Item
            data-testid="comment"
            actions={
              c.author.id === me.data?.user.id || manager
                ? [
                    <Popconfirm key="del" title={t('tasks.comments.deleteConfirm')} okText={t('tasks.delete')} cancelText={t('common.cancel')} onConfirm={() => void remove(c)}>
                      <Button size="small" type="link" danger>
                        {t('tasks.delete')}
                      </Button>
                    </Popconfirm>,
                  ]
                : []
            }
          >
            <List.Item.Meta
              avatar={<PersonAvatar name={c.author.name} size="small" />}
              title={
                <Space size="small" wrap>
                  <strong>{c.author.name}</strong>
                  <Typography.Text type="secondary">{format.dateTime(c.created_at)}</Typography.Text>
                  {c.edited_at && <Typography.Text type="secondary">{t('tasks.comments.edited')}</Typography.Text>}
                </Space>
              }
              description={
                // The server renders the Markdown and sanitises it (bluemonday); nothing else is inserted as HTML.
                <div className="markdown" dangerouslySetInnerHTML={{ __html: c.body_html }} />
              }
            />
          </List.Item>
        )}
      />
      {/* Whoever may read a task may comment on it; the server decides. */}
      <CommentBox orgID={orgID} taskID={task.id} onPosted={() => void refresh()} />
    </div>
  );
}
