import { UserAddOutlined } from '@ant-design/icons';
import { Button, Table, type TableColumnsType, type TableProps } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PageError } from '../../components/PageState';
import { MemberPicker, type PickedMember } from '../../directory/MemberPicker';

/** MemberLike is what every member list shows of a person. */
export interface MemberLike {
  user_id: string;
  display_name: string;
  email: string;
}

/** MemberCell shows a person's name over their email; tags go after the name, children below. */
export function MemberCell({ name, email, tags, children }: { name: ReactNode; email: string; tags?: ReactNode; children?: ReactNode }) {
  return (
    <div className="member-cell">
      <span className="member-name">
        {name}
        {tags}
      </span>
      <span className="member-email">{email}</span>
      {children}
    </div>
  );
}

/** MemberQuery is the part of a member list's query the table reads. */
export interface MemberQuery<T> {
  data?: { items: T[]; total: number };
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

interface MemberTableProps<T extends MemberLike> {
  query: MemberQuery<T>;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  empty: ReactNode;
  /** Columns after the name. */
  columns?: TableColumnsType<T>;
  /** What the name cell shows besides the name and email. */
  tags?: (m: T) => ReactNode;
  details?: (m: T) => ReactNode;
  /** The row's buttons, in the last column. */
  actions?: (m: T) => ReactNode;
  size?: TableProps<T>['size'];
  loading?: TableProps<T>['loading'];
  scroll?: TableProps<T>['scroll'];
  title?: TableProps<T>['title'];
  showTotal?: (total: number) => ReactNode;
}

/**
 * MemberTable is the console's paged list of people (the members page, a department's members,
 * a group's): name and email first, the list's own columns, then the row's actions. It says
 * why when the page cannot load.
 */
export function MemberTable<T extends MemberLike>({
  query,
  page,
  pageSize,
  onPage,
  empty,
  columns = [],
  tags,
  details,
  actions,
  size = 'small',
  loading,
  scroll,
  title,
  showTotal,
}: MemberTableProps<T>) {
  const { t } = useTranslation();
  if (query.isError) return <PageError error={query.error} onRetry={() => query.refetch()} />;
  return (
    <Table<T>
      rowKey="user_id"
      size={size}
      loading={loading ?? query.isPending}
      dataSource={query.data?.items ?? []}
      scroll={scroll}
      title={title}
      locale={{ emptyText: empty }}
      pagination={{
        current: page,
        pageSize,
        total: query.data?.total ?? 0,
        onChange: onPage,
        hideOnSinglePage: true,
        showSizeChanger: false,
        showTotal,
      }}
      columns={[
        {
          title: t('members.name'),
          key: 'name',
          render: (_, m) => (
            <MemberCell name={m.display_name} email={m.email} tags={tags?.(m)}>
              {details?.(m)}
            </MemberCell>
          ),
        },
        ...columns,
        ...(actions
          ? [{ title: <span className="visually-hidden">{t('common.actions')}</span>, key: 'actions', render: (_: unknown, m: T) => actions(m) }]
          : []),
      ]}
    />
  );
}

interface AddMemberBarProps {
  /** The picker's label and placeholder. */
  label: string;
  addText: string;
  value?: PickedMember;
  onChange: (m: PickedMember | undefined) => void;
  onAdd: () => void;
  adding: boolean;
  exclude?: string[];
  primary?: boolean;
  /** Options for the member being added (a role, "as a leader"), between the picker and the button. */
  children?: ReactNode;
}

/** AddMemberBar finds a member to add to a department or group, with the options the list needs. */
export function AddMemberBar({ label, addText, value, onChange, onAdd, adding, exclude, primary, children }: AddMemberBarProps) {
  return (
    <div className="toolbar add-member-bar">
      <MemberPicker aria-label={label} placeholder={label} value={value} onChange={onChange} className="member-picker" exclude={exclude} />
      {children}
      <Button type={primary ? 'primary' : undefined} icon={<UserAddOutlined aria-hidden />} onClick={onAdd} loading={adding} disabled={!value}>
        {addText}
      </Button>
    </div>
  );
}
