import type { ReactNode } from "react";

export const metadata = { title: "Pastiche", description: "Neural style transfer in the browser" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
