-- Agents enrolled before issue 11 pinned the public key of the pair the server kept in signing_keys.
-- That public key stays trusted (releases signed offline with the exported private key still install);
-- the private key stays where it is until `santong release-key export-legacy` moves it out.
INSERT OR IGNORE INTO `release_keys` (`public_key`, `added_at`) SELECT `public_key`, `created_at` FROM `signing_keys`;
