/** The agent's version, sent in every report; `npm run build:agent` checks it against package.json. */
export const AGENT_VERSION = '0.1.0';
