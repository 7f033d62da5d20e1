package dev.stripeinbox.server.cli;

import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.jdbc.StoreOptions;

/** Opens the store every command works on, from {@code --db} or {@code STRIPE_INBOX_DB}. */
final class StoreOpener {
  static final String DB_ENV = "STRIPE_INBOX_DB";
  static final String DEFAULT_DB = "stripe-inbox.db";
  static final String SECRET_SETTING = "webhook_secret";

  private StoreOpener() {}

  static String location(Settings settings, String flag) {
    String db = settings.resolve(flag, DB_ENV);
    return db == null ? DEFAULT_DB : Settings.database(db, Settings.name("--db", DB_ENV));
  }

  static JdbcInboxStore open(String location, StoreOptions options) {
    try {
      return JdbcInboxStore.open(location, options);
    } catch (IllegalArgumentException e) {
      throw new SettingException(Settings.name("--db", DB_ENV) + ": " + e.getMessage());
    }
  }
}
