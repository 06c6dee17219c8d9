import { MessageOutlined } from '@ant-design/icons';
import { Empty } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { useTitle } from '../lib/hooks';
import { useIsMobile } from '../lib/useMediaQuery';
import { NoOrganisation } from '../pages/NoOrganisation';
import { chatApi, useChat } from './api';
import { chatKeys } from './live';
import { ChatList } from './ChatList';
import { Conversation } from './Conversation';
import { NewChatDialog } from './NewChatDialog';
import './strings';
import './chat.css';

/** usePresence tells the server I am online while the tab is shown, away while it is hidden. */
function usePresenceReport(orgID: string) {
  useEffect(() => {
    const report = () => void chatApi.presence(orgID, document.visibilityState === 'hidden' ? 'away' : 'online').catch(() => undefined);
    report();
    document.addEventListener('visibilitychange', report);
    return () => document.removeEventListener('visibilitychange', report);
  }, [orgID]);
}

function OpenChat({ orgID, chatID }: { orgID: string; chatID: string }) {
  const chat = useChat(orgID, chatID);
  if (chat.isPending) return <PageLoading />;
  if (chat.isError) return <PageError error={chat.error} onRetry={() => void chat.refetch()} />;
  return <Conversation key={chatID} orgID={orgID} chat={chat.data} />;
}

/**
 * ChatApp is messaging under /messages, one lazily loaded chunk: the chat list beside the open
 * conversation; at phone width (under 768 px) the list and the conversation are separate screens.
 */
export default function ChatApp() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const { chatID } = useParams();
  const [creating, setCreating] = useState(false);
  const client = useQueryClient();
  useTitle(t('nav.messages'));
  if (!org) {
    return (
      <>
        <PageHeader title={t('nav.messages')} />
        <NoOrganisation />
      </>
    );
  }
  return (
    <div className={`chat-app${mobile ? ' chat-app-phone' : ''}${chatID ? ' chat-app-open' : ''}`}>
      <Presence orgID={org.id} />
      {(!mobile || !chatID) && <ChatList orgID={org.id} activeID={chatID} onNew={() => setCreating(true)} />}
      {(!mobile || chatID) && (
        <section className="chat-pane">
          {chatID ? (
            <OpenChat orgID={org.id} chatID={chatID} />
          ) : (
            <Empty className="chat-none" image={<MessageOutlined className="chat-none-icon" />} description={t('chat.pick')} />
          )}
        </section>
      )}
      {creating && (
        <NewChatDialog
          orgID={org.id}
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            void client.invalidateQueries({ queryKey: chatKeys.lists(org.id) });
            navigate(`/messages/${c.id}`);
          }}
        />
      )}
    </div>
  );
}

function Presence({ orgID }: { orgID: string }) {
  usePresenceReport(orgID);
  return null;
}
