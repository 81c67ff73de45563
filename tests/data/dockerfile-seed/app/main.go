// The seed article's program: an HTTPS GET of the URL given as the argument (or in $URL),
// printing the response's status line and its body.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	url := os.Getenv("URL")
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	resp, err := http.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(resp.Status)
	os.Stdout.Write(body)
}
