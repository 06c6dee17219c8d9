import { render, screen } from '@testing-library/react';
import { Suspense } from 'react';
import { MemoryRouter, useLocation } from 'react-router';
import { AppRoutes } from '../App';
import { AppProviders, newQueryClient } from '../AppProviders';

function Where() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/** renderAt renders the whole app at a path, with a fresh query cache. */
export function renderAt(path: string) {
  const client = newQueryClient();
  render(
    <MemoryRouter initialEntries={[path]}>
      <AppProviders client={client}>
        <Suspense fallback={null}>
          <AppRoutes />
        </Suspense>
        <Where />
      </AppProviders>
    </MemoryRouter>,
  );
  return client;
}

/** location is where the app is now. */
export const location = () => screen.getByTestId('location').textContent;
