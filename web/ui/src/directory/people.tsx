import { Avatar, Tag } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Person } from '../api/client';

/** initial is the letter or character a person's avatar shows. */
export function initial(name: string, email = ''): string {
  return (name || email).trim().charAt(0).toUpperCase();
}

/** PersonAvatar is a person's initial in a circle; decorative, as the name is always beside it. */
export function PersonAvatar({ name, size = 'default' }: { name: string; size?: 'small' | 'default' | 'large' | number }) {
  return (
    <Avatar size={size} className="person-avatar" aria-hidden>
      {initial(name)}
    </Avatar>
  );
}

/** PersonItem is one person in a list, linking to their card. */
export function PersonItem({ person, extra, to }: { person: Pick<Person, 'user_id' | 'display_name' | 'email' | 'status'>; extra?: ReactNode; to?: string }) {
  const { t } = useTranslation();
  return (
    <li className="person-item">
      <Link to={to ?? `/directory/people/${person.user_id}`} className="person-link">
        <PersonAvatar name={person.display_name} />
        <span className="person-text">
          <span className="person-name">
            {person.display_name}
            {person.status === 'deactivated' && <Tag className="inline-tag">{t('status.deactivated')}</Tag>}
          </span>
          <span className="person-email">{person.email}</span>
        </span>
      </Link>
      {extra && <span className="person-extra">{extra}</span>}
    </li>
  );
}
