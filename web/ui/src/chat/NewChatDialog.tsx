import { Form, Input, Modal, Radio } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ErrorAlert';
import { MemberPicker, type PickedMember } from '../directory/MemberPicker';
import { PeopleSelect } from '../tasks/PeopleSelect';
import type { PersonRef } from '../tasks/api';
import { chatApi, type NewChat } from './api';
import { chatErrorText } from './errors';
import type { Chat } from './types';

/** NewChatDialog starts a direct chat with one member or an ad-hoc group chat with several. */
export function NewChatDialog({ orgID, onClose, onCreated }: { orgID: string; onClose: () => void; onCreated: (c: Chat) => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<'direct' | 'adhoc'>('direct');
  const [person, setPerson] = useState<PickedMember>();
  const [people, setPeople] = useState<PersonRef[]>([]);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const ready = kind === 'direct' ? !!person : people.length > 0;
  const create = async () => {
    if (!ready) return;
    const body: NewChat =
      kind === 'direct'
        ? { kind: 'direct', user_id: person!.value }
        : { kind: 'adhoc', name: name.trim() || people.map((p) => p.name).slice(0, 4).join(t('chat.listSeparator')), member_ids: people.map((p) => p.id) };
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await chatApi.create(orgID, body));
    } catch (err) {
      setError(chatErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('chat.new')}
      okText={t('chat.create')}
      cancelText={t('common.cancel')}
      onOk={() => void create()}
      okButtonProps={{ disabled: !ready, 'data-testid': 'new-chat-submit' }}
      confirmLoading={busy}
      onCancel={onClose}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      <Form layout="vertical" disabled={busy}>
        <Form.Item label={t('chat.kind')}>
          <Radio.Group value={kind} onChange={(e) => setKind(e.target.value as 'direct' | 'adhoc')} data-testid="new-chat-kind">
            <Radio.Button value="direct">{t('chat.kinds.direct')}</Radio.Button>
            <Radio.Button value="adhoc">{t('chat.kinds.adhoc')}</Radio.Button>
          </Radio.Group>
        </Form.Item>
        {kind === 'direct' ? (
          <Form.Item label={t('chat.person')} htmlFor="new-chat-person" extra={t('chat.findHint')}>
            <div data-testid="new-chat-person">
              <MemberPicker id="new-chat-person" value={person} onChange={setPerson} className="full-width" aria-label={t('chat.person')} />
            </div>
          </Form.Item>
        ) : (
          <>
            <Form.Item label={t('chat.name')} htmlFor="new-chat-name">
              <Input id="new-chat-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder={t('chat.namePlaceholder')} data-testid="new-chat-name" />
            </Form.Item>
            <Form.Item label={t('chat.members')} extra={t('chat.findHint')}>
              <PeopleSelect value={people} onChange={setPeople} aria-label={t('chat.members')} data-testid="new-chat-members" />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
