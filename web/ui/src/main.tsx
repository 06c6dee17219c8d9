import { StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { AppProviders, newQueryClient } from './AppProviders';
import { AppRoutes } from './App';
import { PageLoading } from './components/PageState';
import './i18n';
import './index.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <AppProviders client={newQueryClient()}>
        <Suspense fallback={<PageLoading />}>
          <AppRoutes />
        </Suspense>
      </AppProviders>
    </BrowserRouter>
  </StrictMode>,
);
