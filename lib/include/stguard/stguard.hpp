// Umbrella header: everything a user of the validation core needs.
#pragma once

#include "stguard/cursor.hpp"
#include "stguard/dtype.hpp"
#include "stguard/error.hpp"
#include "stguard/escape.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"
#include "stguard/stream_validator.hpp"
#include "stguard/validate.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/writer.hpp"
#include "stguard/stream_writer.hpp"
#include "stguard/atomic_file.hpp"
#include "stguard/shard_index.hpp"
#include "stguard/shard_writer.hpp"
#include "stguard/reader.hpp"
#include "stguard/slice.hpp"
