import type { ReactNode } from 'react';
import { useTitle } from '../lib/hooks';

/** PageHeader is a page's h1 (also the document title) with optional actions beside it. */
export function PageHeader({ title, extra, description }: { title: string; extra?: ReactNode; description?: ReactNode }) {
  useTitle(title);
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {extra && <div className="page-header-extra">{extra}</div>}
    </div>
  );
}
