/* Validates and reads a tiny in-memory file through the installed C API. */
#include <stdio.h>
#include <string.h>
#include <stguard/stguard.h>

int main(void) {
  static const char header[] = "{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
  unsigned char file[8 + sizeof header + 1];
  stg_header* parsed = NULL;
  size_t count = 0;
  int ok;
  memset(file, 0, 8);
  file[0] = (unsigned char)(sizeof header - 1);
  memcpy(file + 8, header, sizeof header - 1);
  file[8 + sizeof header - 1] = 1;
  file[8 + sizeof header] = 2;
  ok = stg_validate_buffer(NULL, file, sizeof file, &parsed, NULL) == STG_OK &&
       stg_header_tensor_count(parsed, &count) == STG_OK && count == 1 &&
       stg_validate_buffer(NULL, file, sizeof file - 1, NULL, NULL) == STG_DATA_TRUNCATED;
  stg_header_free(parsed);
  printf("%s\n", ok ? "c consumer: OK" : "c consumer: INVALID");
  return ok ? 0 : 1;
}
