"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, isNonJsonSerializable, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
// Type-only: the router's code never reaches the browser bundle.
import type { AppRouter } from "@/server/api/root";
import { MAX_BATCH_SIZE } from "@/shared/constants";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

// Relative URL: the browser talks to the origin that served the page (CSP connect-src 'self').
const url = "/api/trpc";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Server refusals are final (bad input, not found): retrying only delays the message.
      queries: { staleTime: 5_000, retry: 1, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

function makeTRPCClient() {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        // Live progress streams over SSE (EventSource), which the CSP allows as connect-src 'self'.
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url }),
        false: splitLink({
          // FormData (uploads) cannot be batched into a JSON body: it needs its own request.
          condition: (op) => isNonJsonSerializable(op.input),
          true: httpLink({ url }),
          // The server refuses larger batches.
          false: httpBatchLink({ url, maxItems: MAX_BATCH_SIZE }),
        }),
      }),
    ],
  });
}

/** Query cache and tRPC client for the whole page, created once per browser tab. */
export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(makeTRPCClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
