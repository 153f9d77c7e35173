// Not compiled: the fixture of the core_is_hermetic_control test, which runs
// check_core_hermetic.cmake on this folder and expects it to refuse the
// include below (proof that the check can fail).
#include <unistd.h>
