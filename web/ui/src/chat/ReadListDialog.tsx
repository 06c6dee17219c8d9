import { Empty, List, Modal, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { PageError, PageLoading } from '../components/PageState';
import { PersonAvatar } from '../directory/people';
import { useReadList } from './api';
import type { Message, Reader, ReadList } from './types';

function People({ people, testid }: { people: Reader[]; testid: string }) {
  const { t } = useTranslation();
  if (people.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chat.reads.nobody')} />;
  return (
    <List
      size="small"
      data-testid={testid}
      dataSource={people}
      renderItem={(p) => (
        <List.Item key={p.user_id} data-testid="reader">
          <List.Item.Meta avatar={<PersonAvatar name={p.name} size="small" />} title={p.name} />
        </List.Item>
      )}
    />
  );
}

/** ReadLists shows who has read a message and who has not, as DingTalk's 已读/未读. */
export function ReadLists({ list }: { list: ReadList }) {
  const { t } = useTranslation();
  return (
    <>
      <Tabs
        items={[
          { key: 'read', label: <span data-testid="reads-read-tab">{t('chat.reads.read', { count: list.read_count })}</span>, children: <People people={list.read} testid="reads-read" /> },
          {
            key: 'unread',
            label: <span data-testid="reads-unread-tab">{t('chat.reads.unread', { count: list.unread_count })}</span>,
            children: <People people={list.unread} testid="reads-unread" />,
          },
        ]}
      />
      {list.hidden_count > 0 && <Typography.Text type="secondary">{t('chat.reads.hidden', { count: list.hidden_count })}</Typography.Text>}
    </>
  );
}

/** ReadListDialog opens the read list of one of my messages. */
export function ReadListDialog({ orgID, message, onClose }: { orgID: string; message: Message; onClose: () => void }) {
  const { t } = useTranslation();
  const reads = useReadList(orgID, message, true);
  return (
    <Modal open title={t('chat.reads.title')} onCancel={onClose} footer={null} destroyOnHidden>
      <div data-testid="read-list">
        {reads.isPending ? <PageLoading /> : reads.isError ? <PageError error={reads.error} onRetry={() => void reads.refetch()} /> : <ReadLists list={reads.data} />}
      </div>
    </Modal>
  );
}
