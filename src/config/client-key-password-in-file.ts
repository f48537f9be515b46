/**
 * Why `client_key_password` is not read from the properties file, and what to use instead. The official
 * providers read it only from the environment too; a file that configures everything else is copied, shared
 * and committed too easily to hold the password itself.
 */
export const CLIENT_KEY_PASSWORD_IN_FILE =
  'A password is never read from the properties file (nor by the official providers): put it in a file of its own ' +
  'and set client_key_password_from_file_path (or a DKMS entry\'s passwordFromFilePath) to that file, or set the ' +
  'client_key_password environment variable';
