import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "@/client/trpc";
import "./globals.css";

export const metadata: Metadata = { title: "Pastiche", description: "Neural style transfer in the browser" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
