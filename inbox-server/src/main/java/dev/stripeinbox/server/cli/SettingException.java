package dev.stripeinbox.server.cli;

/** An invalid setting; its message is the one line printed before exiting. */
public final class SettingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SettingException(String message) {
    super(message);
  }
}
