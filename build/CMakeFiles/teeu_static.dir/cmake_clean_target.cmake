file(REMOVE_RECURSE
  "libteeu_static.a"
)
