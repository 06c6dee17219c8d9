import { CloseOutlined, PaperClipOutlined, SendOutlined } from '@ant-design/icons';
import { App, Button, Mentions, Progress, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../api/queries';
import { useSpaces } from '../files/api';
import { uploadPercent } from '../files/uploads';
import { chatApi, newClientID, useChatMembers, type SendRequest } from './api';
import { doneFileIDs, pendingUpload, uploadSpace, useAttachmentUploads } from './attachments';
import { chatErrorText } from './errors';
import { inMention, mayMentionAll, mentionCandidates, mentionsOf, type Picked } from './mentions';
import type { Chat, Message } from './types';

/** BODY_MAX is the server's limit on a message (16 KiB). */
const BODY_MAX = 16 * 1024;
/** TYPING_EVERY is how often typing is announced while the user types (the server's own limit, 3 s). */
const TYPING_EVERY = 3000;

interface Props {
  orgID: string;
  chat: Chat;
  threadRootID?: string;
  quote?: Message;
  onCancelQuote?: () => void;
  /** onSent gets the stored message, to show it at once. */
  onSent: (m: Message) => void;
  testid: string;
  sendTestid: string;
  placeholder?: string;
}

/**
 * Composer writes a message in Markdown: Enter sends, Shift+Enter starts a new line. Typing @
 * offers the chat's members (by name, pinyin or its initials); files attach with tus, each with
 * its progress, and go with the message once they are stored.
 */
export function Composer({ orgID, chat, threadRootID, quote, onCancelQuote, onSent, testid, sendTestid, placeholder }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe().data?.user.id;
  const [body, setBody] = useState('');
  const [search, setSearch] = useState<string>();
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<Picked[]>([]);
  const [busy, setBusy] = useState(false);
  const lastTyping = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const uploads = useAttachmentUploads();
  const spaces = useSpaces(orgID);
  useEffect(() => {
    if (search === undefined) return;
    const timer = window.setTimeout(() => setQ(search.trim()), 200);
    return () => window.clearTimeout(timer);
  }, [search]);
  const members = useChatMembers(orgID, chat.id, q, search !== undefined);
  const allNames = [t('chat.mentionAll'), 'all'];
  const candidates = mentionCandidates(members.data?.items ?? [], search ?? '', me, mayMentionAll(chat), allNames);
  const options = candidates.map((c) => ({
    key: c.id,
    value: c.name,
    label: (
      <span data-testid={`mention-option-${c.name}`}>
        {c.name} {c.department && <Typography.Text type="secondary">{c.department}</Typography.Text>}
      </span>
    ),
  }));
  const uploading = pendingUpload(uploads.rows);
  const fileIDs = doneFileIDs(uploads.rows);

  const typing = () => {
    const now = Date.now();
    if (now - lastTyping.current < TYPING_EVERY) return;
    lastTyping.current = now;
    void chatApi.typing(orgID, chat.id).catch(() => undefined);
  };

  const send = async () => {
    const text = body.trim();
    if ((!text && fileIDs.length === 0) || busy || uploading) return;
    const mentions = mentionsOf(text, picked);
    const req: SendRequest = { client_id: newClientID(), body: text };
    if (threadRootID) req.thread_root_id = threadRootID;
    if (quote) req.quote_id = quote.id;
    if (fileIDs.length > 0) req.attachment_ids = fileIDs;
    if (mentions.ids.length > 0) req.mention_ids = mentions.ids;
    if (mentions.all) req.mention_all = true;
    setBusy(true);
    try {
      let sent: Message;
      try {
        sent = await chatApi.send(orgID, chat.id, req);
      } catch (err) {
        // A dropped connection may have delivered it: the same client id stores it once.
        if (err instanceof TypeError) sent = await chatApi.send(orgID, chat.id, req);
        else throw err;
      }
      setBody('');
      setPicked([]);
      uploads.clear();
      onCancelQuote?.();
      onSent(sent);
    } catch (err) {
      message.error(chatErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const attach = (files: FileList | null) => {
    if (!files || files.length === 0) return;
    const space = uploadSpace(chat, spaces.data?.items ?? [], me);
    if (!space) {
      message.error(t('chat.noSpace'));
      return;
    }
    uploads.add([...files], space.id, orgID);
  };

  return (
    <div className="chat-composer">
      {quote && (
        <div className="chat-composer-quote" data-testid="composer-quote">
          <span>
            {t('chat.quoting', { name: quote.sender_name })} <Typography.Text type="secondary">{quote.body.slice(0, 80)}</Typography.Text>
          </span>
          <Button type="text" size="small" icon={<CloseOutlined />} aria-label={t('chat.cancelQuote')} onClick={onCancelQuote} />
        </div>
      )}
      {uploads.rows.length > 0 && (
        <ul className="chat-uploads" aria-label={t('chat.attachments')}>
          {uploads.rows.map((r) => (
            <li key={r.id} data-testid="upload-row" data-status={r.status}>
              <PaperClipOutlined aria-hidden /> <span className="chat-upload-name">{r.name}</span>
              <Progress
                percent={uploadPercent(r)}
                size="small"
                status={r.status === 'error' ? 'exception' : r.status === 'done' ? 'success' : 'active'}
                aria-label={t('chat.uploadProgress', { name: r.name })}
              />
              {r.status === 'error' && (
                <Button size="small" type="link" onClick={() => uploads.retry(r.id)}>
                  {t('common.retry')}
                </Button>
              )}
              <Button type="text" size="small" icon={<CloseOutlined />} aria-label={t('chat.removeAttachment', { name: r.name })} onClick={() => uploads.remove(r.id)} />
            </li>
          ))}
        </ul>
      )}
      <div className="chat-composer-row">
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid={`${testid}-file`}
          onChange={(e) => {
            attach(e.target.files);
            e.target.value = '';
          }}
        />
        <Button type="text" icon={<PaperClipOutlined />} aria-label={t('chat.attach')} data-testid={`${testid}-attach`} onClick={() => fileInput.current?.click()} disabled={busy} />
        <Mentions
          className="chat-input"
          data-testid={testid}
          aria-label={placeholder ?? t('chat.composerLabel', { name: chat.name })}
          placeholder={placeholder ?? t('chat.composerPlaceholder', { name: chat.name })}
          autoSize={{ minRows: 1, maxRows: 8 }}
          value={body}
          maxLength={BODY_MAX}
          onChange={(v) => {
            setBody(v);
            if (v) typing();
          }}
          prefix="@"
          filterOption={false}
          onSearch={(text) => setSearch(text)}
          onSelect={(option) => {
            const c = candidates.find((x) => x.id === option.key) ?? candidates.find((x) => x.name === option.value);
            if (c) setPicked((p) => [...p, { id: c.id, name: c.name }]);
          }}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
            const el = e.target as HTMLTextAreaElement;
            // Enter in an @name being typed picks the member; the picker handles it.
            if (inMention(el.value.slice(0, el.selectionStart ?? el.value.length)) && options.length > 0) return;
            e.preventDefault();
            void send();
          }}
          options={options}
          notFoundContent={members.isFetching ? t('common.loading') : t('members.noMatch')}
          popupClassName="mention-autocomplete"
        />
        <Button
          type="primary"
          icon={<SendOutlined />}
          data-testid={sendTestid}
          aria-label={t('chat.send')}
          loading={busy}
          disabled={(!body.trim() && fileIDs.length === 0) || uploading}
          onClick={() => void send()}
        />
      </div>
    </div>
  );
}
