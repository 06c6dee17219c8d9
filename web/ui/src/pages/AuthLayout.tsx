import type { ReactNode } from 'react';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { Brand } from '../shell/Brand';

/** AuthLayout frames the signed-out pages: sign in and accepting an invitation. */
export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth-layout">
      <header className="auth-header">
        <Brand />
        <LanguageSwitch />
      </header>
      <main id="main" className="auth-main">
        <div className="auth-card">{children}</div>
      </main>
    </div>
  );
}
