//go:build postgres

package main

// With -tags postgres the floor also links the GORM PostgreSQL driver (pgx).
import _ "gorm.io/driver/postgres"
