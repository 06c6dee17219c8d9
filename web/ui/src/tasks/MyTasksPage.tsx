import { PlusOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Empty, Input, Segmented, Select, Space, Tabs } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../api/queries';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { SearchInput } from '../components/SearchInput';
import { startOfDay } from '../lib/format';
import { useFormat } from '../lib/hooks';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { levelAtLeast, tasksApi, useMyTasks, useTaskLists, type MyView, type StatusFilter, type Task } from './api';
import { groupByBucket } from './buckets';
import { useCompleteTask, useReopenTask } from './complete';
import { TaskRow } from './TaskCard';
import { bucketLabel, tasksErrorText, useOpenTask, useTasksRefresh } from './shared';

const QUICK_LIST_KEY = 'canopy.tasks.quickList';

function storedList(): string | undefined {
  try {
    return localStorage.getItem(QUICK_LIST_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** QuickAdd adds a task to a list the user picks (remembered), assigned to them in the Assigned view. */
function QuickAdd({ orgID, assignToMe }: { orgID: string; assignToMe: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const refresh = useTasksRefresh(orgID);
  const lists = useTaskLists(orgID);
  const writable = (lists.data?.items ?? []).filter((l) => levelAtLeast(l.level, 'write'));
  const [listID, setListID] = useState<string | undefined>(storedList);
  const target = writable.find((l) => l.id === listID) ?? writable[0];
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const add = async () => {
    const text = title.trim();
    if (!text || !target) return;
    setBusy(true);
    try {
      await tasksApi.createTask(orgID, target.id, { title: text, assignee_ids: assignToMe && me.data ? [me.data.user.id] : undefined });
      setTitle('');
      message.success(t('tasks.quickAdd.added', { list: target.name }));
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  if (lists.isSuccess && writable.length === 0) return null;
  return (
    <Space.Compact className="quick-add">
      <Input
        aria-label={t('tasks.quickAdd.label')}
        data-testid="quick-add"
        placeholder={t('tasks.quickAdd.placeholder')}
        prefix={<PlusOutlined aria-hidden />}
        value={title}
        maxLength={500}
        disabled={busy}
        onChange={(e) => setTitle(e.target.value)}
        onPressEnter={() => void add()}
      />
      <Select
        aria-label={t('tasks.quickAdd.list')}
        value={target?.id}
        loading={lists.isPending}
        onChange={(id: string) => {
          setListID(id);
          try {
            localStorage.setItem(QUICK_LIST_KEY, id);
          } catch {
            // Private mode: remembered for this page only.
          }
        }}
        options={writable.map((l) => ({ value: l.id, label: l.name }))}
        popupMatchSelectWidth={false}
        style={{ minWidth: 140, maxWidth: 220 }}
      />
    </Space.Compact>
  );
}

/** MyTasksPage is "My tasks": what is assigned to me, what I follow, what I created, grouped by when it is due. */
export default function MyTasksPage({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const openTask = useOpenTask();
  const complete = useCompleteTask(orgID);
  const reopen = useReopenTask(orgID);
  const [view, setView] = useState<MyView>('assigned');
  const [status, setStatus] = useState<StatusFilter>('open');
  const [listID, setListID] = useState<string>();
  const [labelID, setLabelID] = useState<string>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const { search, setSearch, q } = useDebouncedSearch();
  const lists = useTaskLists(orgID);
  const zone = format.timeZone;
  const dayStart = (d: Dayjs) => startOfDay(d.year(), d.month(), d.date(), zone);
  const query = {
    view,
    status,
    list_id: listID,
    label_id: labelID,
    q: q || undefined,
    tz: zone,
    due_from: range?.[0] ? dayStart(range[0]) : undefined,
    due_to: range?.[1] ? dayStart(range[1].add(1, 'day')) : undefined,
  };
  const tasks = useMyTasks(orgID, query);
  const items = useMemo(() => tasks.data?.pages.flatMap((p) => p.items) ?? [], [tasks.data]);
  const total = tasks.data?.pages[0]?.total ?? 0;
  const groups = useMemo(() => groupByBucket(items, new Date(), zone), [items, zone]);
  const chosenList = lists.data?.items.find((l) => l.id === listID);
  const toggle = (task: Task, done: boolean) => void (done ? complete(task.id, { openNext: false }) : reopen(task.id));

  return (
    <div className="my-tasks">
      <PageHeader title={t('tasks.my.title')} />
      <Tabs
        activeKey={view}
        onChange={(k) => setView(k as MyView)}
        items={[
          { key: 'assigned', label: t('tasks.my.assigned') },
          { key: 'following', label: t('tasks.my.following') },
          { key: 'created', label: t('tasks.my.created') },
        ]}
      />
      <QuickAdd orgID={orgID} assignToMe={view === 'assigned'} />
      <Space wrap className="task-filters">
        <SearchInput label={t('tasks.filters.search')} value={search} onChange={setSearch} />
        <Select
          allowClear
          aria-label={t('tasks.filters.list')}
          placeholder={t('tasks.filters.list')}
          value={listID}
          onChange={(v: string | undefined) => {
            setListID(v);
            setLabelID(undefined);
          }}
          options={(lists.data?.items ?? []).map((l) => ({ value: l.id, label: l.name }))}
          popupMatchSelectWidth={false}
          style={{ minWidth: 140 }}
        />
        {chosenList && chosenList.labels.length > 0 && (
          <Select
            allowClear
            aria-label={t('tasks.filters.label')}
            placeholder={t('tasks.filters.label')}
            value={labelID}
            onChange={setLabelID}
            options={chosenList.labels.map((l) => ({ value: l.id, label: l.name }))}
            style={{ minWidth: 120 }}
          />
        )}
        <Segmented
          aria-label={t('tasks.filters.status')}
          value={status}
          onChange={(v) => setStatus(v as StatusFilter)}
          options={[
            { value: 'open', label: t('tasks.status.open') },
            { value: 'done', label: t('tasks.status.done') },
            { value: 'all', label: t('tasks.status.all') },
          ]}
        />
        <DatePicker.RangePicker
          aria-label={t('tasks.filters.due')}
          placeholder={[t('tasks.filters.dueFrom'), t('tasks.filters.dueTo')]}
          value={range}
          onChange={(v) => setRange(v)}
          allowEmpty={[true, true]}
        />
      </Space>
      {tasks.isError ? (
        <PageError error={tasks.error} onRetry={() => tasks.refetch()} />
      ) : tasks.isPending ? (
        <PageLoading />
      ) : items.length === 0 ? (
        <Empty description={t('tasks.my.empty')} />
      ) : (
        <>
          <p className="my-tasks-total" aria-live="polite">
            {t('tasks.my.total', { count: total })}
          </p>
          {groups.map((g) => (
            <section key={g.bucket} className={`bucket bucket-${g.bucket}`} data-testid={`bucket-${g.bucket}`} aria-labelledby={`bucket-${g.bucket}`}>
              <h2 id={`bucket-${g.bucket}`} className="bucket-title">
                {bucketLabel(t, g.bucket)} <span className="bucket-count">{g.items.length}</span>
              </h2>
              <ul className="task-rows">
                {g.items.map((task) => (
                  <TaskRow key={task.id} task={task} onOpen={(x) => openTask(x.id)} onToggle={toggle} writable={levelAtLeast(task.level, 'write')} showList />
                ))}
              </ul>
            </section>
          ))}
          {tasks.hasNextPage && (
            <div className="load-more">
              <Button onClick={() => void tasks.fetchNextPage()} loading={tasks.isFetchingNextPage}>
                {t('tasks.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
