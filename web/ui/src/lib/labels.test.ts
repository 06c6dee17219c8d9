import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { PERMISSIONS, permissionDescription, permissionLabel } from './labels';

// The permission catalogue as the API document lists it (components.schemas.Permission), which
// is the server's order (domain/access Catalogue).
function documentedPermissions(): string[] {
  const yaml = readFileSync(join(__dirname, '..', '..', '..', 'api', 'openapi.yaml'), 'utf8');
  const m = yaml.match(/\n {4}Permission:\n {6}type: string\n {6}enum: \[([^\]]+)\]/);
  if (!m) throw new Error('components.schemas.Permission not found in openapi.yaml');
  return m[1].split(',').map((s) => s.trim());
}

describe('the permission catalogue', () => {
  it('lists every permission of the API, in the server’s order', () => {
    expect(PERMISSIONS).toEqual(documentedPermissions());
    expect(PERMISSIONS).toEqual(expect.arrayContaining(['messages.read', 'messages.write', 'chats.manage', 'announcements.publish', 'messages.export', 'content_rules.manage']));
  });

  it.each(['en', 'zh-CN'])('names and describes each permission in %s, never by its id', (lng) => {
    const t = i18n.getFixedT(lng);
    for (const p of PERMISSIONS) {
      const label = permissionLabel(t, p);
      expect(label, p).not.toBe(p);
      expect(label, p).not.toMatch(/^[a-z]+(\.[a-zA-Z_]+)+$/);
      expect(permissionDescription(t, p), p).not.toBe('');
    }
    const labels = PERMISSIONS.map((p) => permissionLabel(t, p));
    expect(new Set(labels).size).toBe(labels.length);
  });
});
