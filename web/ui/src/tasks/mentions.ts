/** A member picked from the @ autocomplete of a comment. */
export interface Mentioned {
  id: string;
  name: string;
}

/**
 * mentionIDs are the members to notify: those picked from the autocomplete whose @name is still
 * in the comment (one may have been picked, then deleted from the text), each once.
 */
export function mentionIDs(body: string, picked: Mentioned[]): string[] {
  const out: string[] = [];
  for (const m of picked) {
    if (!out.includes(m.id) && body.includes(`@${m.name}`)) out.push(m.id);
  }
  return out;
}
