import type { TFunction } from 'i18next';
import type { Space } from './api';

/** spaceLabel names a space; one's own personal space is "My files". */
export function spaceLabel(t: TFunction, space: Space, meID: string | undefined): string {
  if (space.kind === 'personal') return space.owner_id === meID ? t('files.spaces.mine') : t('files.spaces.personalOf', { name: space.name });
  return space.name;
}
