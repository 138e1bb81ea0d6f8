//go:build xlsx

package main

// With -tags xlsx the floor also links excelize, the XLSX library assocbot was told to use.
import _ "github.com/xuri/excelize/v2"
