/** The server's services, created once per process (see getPasticheApp in server/singleton.ts). */
export interface PasticheApp {
  readonly started: boolean;
}
