import { DeleteOutlined, EditOutlined, LeftOutlined, MoreOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCorners,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
} from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { App, Badge, Button, Dropdown, Input, Modal, Segmented, Space } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from './useIsPhone';
import { tasksApi, type Task, type TaskList, type TaskSection } from './api';
import { buildColumns, columnDropID, columnOf, dropRequest, moveCard, sectionAfter, type Columns, type MoveRequest } from './board';
import { TaskCard } from './TaskCard';
import { tasksErrorText, useTasksRefresh } from './shared';

interface BoardProps {
  orgID: string;
  list: TaskList;
  tasks: Task[];
  writable: boolean;
  onOpen: (task: Task) => void;
}

function SortableCard({ task, onOpen, disabled }: { task: Task; onOpen: (task: Task) => void; disabled: boolean }) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: task.id, disabled });
  return (
    <TaskCard
      cardRef={setNodeRef}
      task={task}
      onOpen={onOpen}
      dragging={isDragging}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      {...attributes}
      {...listeners}
    />
  );
}

/** AddTask adds a task at the bottom of a column. */
function AddTask({ orgID, listID, section, lastID }: { orgID: string; listID: string; section: TaskSection; lastID?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const add = async () => {
    const text = title.trim();
    if (!text) return;
    setBusy(true);
    try {
      await tasksApi.createTask(orgID, listID, { title: text, section_id: section.id, after_id: lastID ?? null });
      setTitle('');
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  if (!open) {
    return (
      <Button type="text" block icon={<PlusOutlined />} className="board-add-task" data-testid={`add-task-${section.name}`} onClick={() => setOpen(true)}>
        {t('tasks.board.addTask')}
      </Button>
    );
  }
  return (
    <Input
      autoFocus
      aria-label={t('tasks.board.newTaskIn', { section: section.name })}
      data-testid={`new-task-${section.name}`}
      placeholder={t('tasks.board.newTaskPlaceholder')}
      value={title}
      maxLength={500}
      disabled={busy}
      onChange={(e) => setTitle(e.target.value)}
      onPressEnter={() => void add()}
      onBlur={() => !title.trim() && setOpen(false)}
      onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
    />
  );
}

interface ColumnProps {
  orgID: string;
  list: TaskList;
  section: TaskSection;
  ids: string[];
  byID: Map<string, Task>;
  writable: boolean;
  onOpen: (task: Task) => void;
}

function Column({ orgID, list, section, ids, byID, writable, onOpen }: ColumnProps) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  const { setNodeRef, isOver } = useDroppable({ id: columnDropID(section.id), disabled: !writable });
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(section.name);
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };
  const move = (delta: -1 | 1) => {
    const after = sectionAfter(list.sections, section.id, delta);
    if (after !== undefined) void run(() => tasksApi.moveSection(orgID, list.id, section.id, after));
  };
  const index = list.sections.findIndex((s) => s.id === section.id);
  const remove = () =>
    modal.confirm({
      title: t('tasks.board.deleteSectionTitle', { name: section.name }),
      content: t('tasks.board.deleteSectionText'),
      okText: t('tasks.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () => run(() => tasksApi.deleteSection(orgID, list.id, section.id, list.sections.find((s) => s.id !== section.id)?.id)),
    });
  return (
    <section className={`board-column${isOver ? ' board-column-over' : ''}`} data-testid={`column-${section.name}`} aria-label={section.name}>
      <header className="board-column-header">
        <h2 className="board-column-title">
          {section.name} <Badge count={ids.length} showZero color="#8c8c8c" aria-label={t('tasks.board.count', { count: ids.length })} />
        </h2>
        {writable && (
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'rename', icon: <EditOutlined />, label: t('tasks.board.renameSection'), onClick: () => setRenaming(true) },
                { key: 'left', icon: <LeftOutlined />, label: t('tasks.board.moveLeft'), disabled: index <= 0, onClick: () => move(-1) },
                { key: 'right', icon: <RightOutlined />, label: t('tasks.board.moveRight'), disabled: index >= list.sections.length - 1, onClick: () => move(1) },
                { key: 'delete', icon: <DeleteOutlined />, label: t('tasks.board.deleteSection'), danger: true, disabled: list.sections.length <= 1, onClick: remove },
              ],
            }}
          >
            <Button type="text" size="small" icon={<MoreOutlined />} aria-label={t('tasks.board.sectionActions', { name: section.name })} />
          </Dropdown>
        )}
      </header>
      <SortableContext id={section.id} items={ids} strategy={verticalListSortingStrategy}>
        <div ref={setNodeRef} className="board-column-cards">
          {ids.map((id) => {
            const task = byID.get(id);
            return task ? <SortableCard key={id} task={task} onOpen={onOpen} disabled={!writable} /> : null;
          })}
        </div>
      </SortableContext>
      {writable && <AddTask orgID={orgID} listID={list.id} section={section} lastID={ids[ids.length - 1]} />}
      <Modal
        open={renaming}
        title={t('tasks.board.renameSection')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        onCancel={() => setRenaming(false)}
        onOk={async () => {
          if (name.trim() && name.trim() !== section.name) await run(() => tasksApi.renameSection(orgID, list.id, section.id, name.trim()));
          setRenaming(false);
        }}
        destroyOnHidden
      >
        <Input aria-label={t('tasks.board.sectionName')} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      </Modal>
    </section>
  );
}

/** AddSection adds a column at the end. */
function AddSection({ orgID, list }: { orgID: string; list: TaskList }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const add = async () => {
    if (!name.trim()) return;
    try {
      await tasksApi.addSection(orgID, list.id, name.trim(), list.sections[list.sections.length - 1]?.id);
      setName('');
      setOpen(false);
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };
  return open ? (
    <Space.Compact className="board-add-section">
      <Input autoFocus aria-label={t('tasks.board.sectionName')} data-testid="new-section-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} onPressEnter={() => void add()} />
      <Button type="primary" onClick={() => void add()}>
        {t('tasks.board.add')}
      </Button>
    </Space.Compact>
  ) : (
    <Button icon={<PlusOutlined />} className="board-add-section" data-testid="add-section" onClick={() => setOpen(true)}>
      {t('tasks.board.addSection')}
    </Button>
  );
}

/**
 * Board is the kanban view: sections as columns, cards dragged between and within them. A drop
 * shows at once; the server is asked to put the card after the one above it, and the board then
 * shows the server's order. On a phone one column shows at a time, with a switcher.
 */
export function Board({ orgID, list, tasks, writable, onOpen }: BoardProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = useIsPhone();
  const refresh = useTasksRefresh(orgID);
  const base = useMemo(() => buildColumns(list.sections, tasks), [list.sections, tasks]);
  const byID = useMemo(() => new Map(tasks.map((task) => [task.id, task])), [tasks]);
  // While dragging, the board as the drag has it; after a drop, until the server's order is in.
  const [drag, setDrag] = useState<Columns | null>(null);
  const [pending, setPending] = useState<Columns | null>(null);
  const [activeID, setActiveID] = useState<string | null>(null);
  const origin = useRef<MoveRequest>();
  const [shown, setShown] = useState<string>();
  const cols = drag ?? pending ?? base;
  const current = list.sections.find((s) => s.id === shown) ?? list.sections[0];

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    // Enter opens a card; Space picks it up and puts it down.
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates, keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space'] } }),
  );

  const title = (id: string | number) => byID.get(String(id))?.title ?? '';
  const sectionName = (id: string | number | undefined) => list.sections.find((s) => s.id === columnOf(cols, String(id ?? '')))?.name ?? '';
  const announcements: Announcements = {
    onDragStart: ({ active }) => t('tasks.board.a11yPicked', { title: title(active.id) }),
    onDragOver: ({ active, over }) => (over ? t('tasks.board.a11yOver', { title: title(active.id), section: sectionName(over.id) }) : undefined),
    onDragEnd: ({ active, over }) => (over ? t('tasks.board.a11yDropped', { title: title(active.id), section: sectionName(over.id) }) : t('tasks.board.a11yCancelled', { title: title(active.id) })),
    onDragCancel: ({ active }) => t('tasks.board.a11yCancelled', { title: title(active.id) }),
  };

  // The drag's board is also kept in a ref: a drop may come before the last move has rendered.
  const dragging = useRef<Columns | null>(null);
  const setDragging = (next: Columns | null) => {
    dragging.current = next;
    setDrag(next);
  };
  const onDragStart = (e: DragStartEvent) => {
    setActiveID(String(e.active.id));
    setDragging(cols);
    origin.current = dropRequest(cols, String(e.active.id));
  };
  const onDragOver = (e: DragOverEvent) => {
    const { active, over } = e;
    const prev = dragging.current;
    if (!over || !prev) return;
    const from = columnOf(prev, String(active.id));
    const to = columnOf(prev, String(over.id));
    if (!from || !to || from === to) return;
    const rect = active.rect.current.translated;
    const below = !!rect && rect.top > over.rect.top + over.rect.height / 2;
    setDragging(moveCard(prev, String(active.id), String(over.id), below));
  };
  const onDragEnd = async (e: DragEndEvent) => {
    const id = String(e.active.id);
    const current = dragging.current;
    const final = current && e.over ? moveCard(current, id, String(e.over.id)) : current;
    setDragging(null);
    setActiveID(null);
    if (!final || !e.over) return;
    const move = dropRequest(final, id);
    const from = origin.current;
    if (!move || (from && from.section_id === move.section_id && from.after_id === move.after_id)) return;
    setPending(final);
    try {
      await tasksApi.move(orgID, id, move);
    } catch (err) {
      message.error(tasksErrorText(t, err));
    } finally {
      await refresh();
      setPending(null);
    }
  };

  const sections = phone && current ? [current] : list.sections;
  return (
    <div className="board-wrap">
      {phone && list.sections.length > 1 && (
        <Segmented
          block
          className="board-switcher"
          data-testid="column-switcher"
          aria-label={t('tasks.board.switcher')}
          value={current?.id}
          onChange={(v) => setShown(String(v))}
          options={list.sections.map((s) => ({ value: s.id, label: `${s.name} (${cols[s.id]?.length ?? 0})` }))}
        />
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragEnd={(e) => void onDragEnd(e)}
        onDragCancel={() => {
          setDragging(null);
          setActiveID(null);
        }}
        accessibility={{ announcements, screenReaderInstructions: { draggable: t('tasks.board.a11yInstructions') } }}
      >
        <div className={`board${phone ? ' board-phone' : ''}`} role="region" aria-label={t('tasks.board.label', { name: list.name })}>
          {sections.map((s) => (
            <Column key={s.id} orgID={orgID} list={list} section={s} ids={cols[s.id] ?? []} byID={byID} writable={writable} onOpen={onOpen} />
          ))}
          {writable && !phone && <AddSection orgID={orgID} list={list} />}
        </div>
        <DragOverlay>{activeID && byID.get(activeID) ? <TaskCard task={byID.get(activeID)!} onOpen={() => undefined} className="task-card-overlay" data-testid="card-overlay" /> : null}</DragOverlay>
      </DndContext>
      {writable && phone && <AddSection orgID={orgID} list={list} />}
    </div>
  );
}
